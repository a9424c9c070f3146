"""The jwt-validation reference solution against PyJWT, on the cases where KATAS.md and PyJWT
agree (PyJWT is more lenient about padding and duplicate JSON members; the kata's README
says so)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.conftest import ROOT

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
SECRET = b"a secret long enough for every HMAC: sixty-four bytes, no fewer!!"
NOW = 1_700_000_000


def reference() -> ModuleType:
    path = ROOT / "solutions" / "jwt-validation" / "jwt_validation.py"
    spec = importlib.util.spec_from_file_location("jwt_validation_reference", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


REF = reference()
KEYS: dict[str, tuple[Any, Any]] = {
    "HS256": (SECRET, SECRET), "HS384": (SECRET, SECRET), "HS512": (SECRET, SECRET),
    "RS256": (RSA_KEY, RSA_KEY.public_key()), "ES256": (EC_KEY, EC_KEY.public_key()),
}
CLAIMS = [
    {"sub": "ada"},
    {"sub": "ada", "exp": NOW + 10, "nbf": NOW - 10, "iat": NOW},
    {"exp": NOW - 1},
    {"nbf": NOW + 5},
    {"aud": ["api", "web"], "iss": "login"},
    {"aud": "api"},
]
OPTIONS: list[dict[str, Any]] = [
    {}, {"leeway": 5}, {"audience": "web"}, {"audience": "api", "issuer": "login"},
    {"issuer": "other"}, {"audience": "nobody"},
]


CLAIM_ERRORS = {"ExpiredSignatureError", "ImmatureSignatureError", "InvalidAudienceError",
                "InvalidIssuerError", "MissingRequiredClaimError"}


def outcome(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - the class name is the outcome compared
        return ("error", type(exc).__name__)


@pytest.mark.parametrize("alg", list(KEYS))
def test_reference_and_pyjwt_agree(alg: str) -> None:
    signing, verifying = KEYS[alg]
    for claims in CLAIMS:
        for made_by in ("reference", "pyjwt"):
            token = (REF.encode(claims, signing, alg) if made_by == "reference"
                     else jwt.encode(claims, signing, algorithm=alg))
            for options in OPTIONS:
                ours = outcome(REF.decode, token, verifying, algorithms=[alg], now=NOW,
                               **options)
                with jwt_clock(NOW):
                    theirs = outcome(jwt.decode, token, verifying, algorithms=[alg], **options)
                if ours[0] == theirs[0] == "error" and {ours[1], theirs[1]} <= CLAIM_ERRORS:
                    continue  # several claims fail: which is reported first is unspecified
                assert ours == theirs, (alg, claims, made_by, options)


class jwt_clock:  # noqa: N801 - used as a context manager, reads like one
    """Freeze PyJWT's clock (it has no `now` argument)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __enter__(self) -> None:
        import jwt.api_jwt as api

        self._saved = api.datetime
        frozen = self.now

        class Frozen(api.datetime):  # type: ignore[misc, name-defined]
            @classmethod
            def now(cls, tz: Any = None) -> Any:
                return api.datetime.fromtimestamp(frozen, tz)

        api.datetime = Frozen

    def __exit__(self, *exc: object) -> None:
        import jwt.api_jwt as api

        api.datetime = self._saved


def test_the_wrong_algorithm_is_refused_by_both() -> None:
    token = jwt.encode({"sub": "ada"}, SECRET, algorithm="HS512")
    assert outcome(REF.decode, token, SECRET, algorithms=["HS256"])[1] == "InvalidAlgorithmError"
    assert outcome(jwt.decode, token, SECRET, algorithms=["HS256"])[1] == "InvalidAlgorithmError"

