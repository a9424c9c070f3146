"""The starter stubs: where a pristine one comes from, and restoring it with a backup.

The grader package does not ship the stubs (``katas/<slug>/<module>.py`` is the stub in a
fresh clone), so the pristine one comes from git: the newest committed version of the file
with the most ``NotImplementedError`` bodies. HEAD's version is that stub until the learner
commits work of their own; after that, their commits fill bodies in (fewer
``NotImplementedError``), so an older version is the stub, while upstream revisions of the stub
itself keep the count and the newest wins. Commits authored by the checkout's own git user are
the learner's and are left out, unless every version is theirs (a repository made from a
template starts with a commit in the learner's name).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import Kata
from grader.errors import GradeError

GIT_TIMEOUT_S = 30.0
MAX_VERSIONS = 200  # enough for any kata's history; keeps a huge repository quick


class StubNotFoundError(GradeError):
    """The pristine stub could not be found (not a git checkout, or the file was never
    committed)."""


@dataclass(frozen=True)
class Restored:
    kata: Kata
    commit: str
    backup: Path | None  # None: the file was missing, nothing to back up


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True,  # noqa: S607
                              timeout=GIT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StubNotFoundError(f"cannot run git to find the starter stub ({exc}); restore "
                                "it from the upstream repository by hand.") from exc


def pristine_stub(kata: Kata) -> tuple[str, bytes]:
    """(commit, content) of the kata's starter stub, from the checkout's git history."""
    relative = f"katas/{kata.slug}/{kata.module_file}"
    where = f"the upstream repository's {relative}"
    inside = _git(kata.root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        raise StubNotFoundError(f"{kata.root} is not a git checkout, so the starter stub of "
                                f"{kata.slug} cannot be found; copy it from {where}.")
    log = _git(kata.root, "log", f"--max-count={MAX_VERSIONS}", "--format=%H %ae", "--",
               relative)
    versions = [line.split(" ", 1) for line in log.stdout.decode().splitlines()
                if log.returncode == 0 and " " in line]
    me = _git(kata.root, "config", "user.email").stdout.decode().strip()
    theirs = [commit for commit, email in versions if not me or email != me]
    commits = theirs or [commit for commit, _ in versions]
    best: tuple[int, str, bytes] | None = None
    for commit in commits:  # newest first: on a tie the newer version stays
        shown = _git(kata.root, "show", f"{commit}:{relative}")
        if shown.returncode != 0:
            continue  # the commit deleted the file
        count = shown.stdout.count(b"NotImplementedError")
        if best is None or count > best[0]:
            best = (count, commit, shown.stdout)
    if best is None or best[0] == 0:
        raise StubNotFoundError(f"no committed version of {relative} is a starter stub; copy "
                                f"it from {where}.")
    return best[1], best[2]


def backup_dir(root: Path, slug: str) -> Path:
    return root / ".grade" / "backups" / slug


def restore_stub(kata: Kata, stub: bytes, commit: str) -> Restored:
    """Copy the learner's file to ``.grade/backups/<slug>/<module>-<timestamp>.py``, then write
    the stub over it. The backup is written before the file is touched."""
    target = kata.stub_path
    backup: Path | None = None
    if target.exists():
        folder = backup_dir(kata.root, kata.slug)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = folder / f"{kata.module}-{stamp}.py"
        n = 1
        while backup.exists():
            n += 1
            backup = folder / f"{kata.module}-{stamp}-{n}.py"
        shutil.copy2(target, backup)
    target.write_bytes(stub)
    return Restored(kata, commit, backup)
