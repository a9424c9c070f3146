#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: a Python of 3.11
# or newer, and the grader with its catalogue and hidden suites from the pinned upstream.
set -euo pipefail
AUTOGRADER="${AUTOGRADER:-/autograder}"  # another root only to try the scripts elsewhere
# shellcheck source=config.sh
source "$AUTOGRADER/source/config.sh"

apt-get update
apt-get install -y --no-install-recommends git ca-certificates

python_at_least_311() {
    "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

PYTHON=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null && python_at_least_311 "$candidate"; then
        PYTHON="$candidate"
        break
    fi
done
if [ -z "$PYTHON" ]; then  # Ubuntu 22.04's own python3 is 3.10; its python3.11 package will do
    apt-get install -y --no-install-recommends python3.11 python3.11-venv
    PYTHON=python3.11
fi
if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
    apt-get install -y --no-install-recommends "$(basename "$PYTHON")-venv"
fi

git clone --depth 1 --branch "$REF" "$UPSTREAM" "$AUTOGRADER/backend-katas"
"$PYTHON" -m venv "$AUTOGRADER/venv"
"$AUTOGRADER/venv/bin/python" -m pip install --quiet --upgrade pip
"$AUTOGRADER/venv/bin/python" -m pip install --quiet "$AUTOGRADER/backend-katas"
"$AUTOGRADER/venv/bin/grade" --version
