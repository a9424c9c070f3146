"""Tokens built byte by byte for the jwt-validation checks, independently of the learner's
``encode``, and the checks of ``decode`` every level makes."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from types import ModuleType
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from grader.checks import Script, fail, same, show

KEY = b"a secret of thirty-two bytes!!!!"
HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


@functools.cache
def signing_keys() -> tuple[rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey,
                            ec.EllipticCurvePrivateKey]:
    """An RSA key and two EC keys, made once per grading process: making a 2048-bit RSA key
    takes a moment, and the hidden suite is imported twice (listed, then graded)."""
    return (rsa.generate_private_key(public_exponent=65537, key_size=2048),
            ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1()))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def token(payload: bytes | dict[str, Any], *, header: bytes | dict[str, Any] | None = None,
          key: bytes = KEY, alg: str = "HS256") -> str:
    """A correctly signed HMAC token over exactly these header and payload bytes."""
    raw_header = header if isinstance(header, bytes) else json.dumps(
        header if header is not None else {"alg": alg, "typ": "JWT"}).encode()
    raw_payload = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = f"{b64(raw_header)}.{b64(raw_payload)}"
    mac = hmac.new(key, signing_input.encode(), HASHES[alg]).digest()
    return f"{signing_input}.{b64(mac)}"


def expect_claims(s: Script, subject: ModuleType, tok: str, key: Any, expected: dict[str, Any],
                  **kwargs: Any) -> None:
    """``subject.decode(tok, key, ...)`` must return exactly ``expected`` (algorithms:
    HS256 unless given)."""
    kwargs.setdefault("algorithms", ["HS256"])
    claims = s.call("jwt", subject, "decode", tok, key, **kwargs)
    if not same(claims, expected):
        fail(f"decode gave {show(claims, 200)}, expected the claims {show(expected, 200)}.", s)


def accepted(s: Script, subject: ModuleType, claims: dict[str, Any], **kwargs: Any) -> None:
    """An HS256 token of ``claims`` decodes to them."""
    expect_claims(s, subject, token(claims), KEY, claims, **kwargs)


def refused(s: Script, subject: ModuleType, error: type[Exception], claims: dict[str, Any],
            **kwargs: Any) -> None:
    """An HS256 token of ``claims`` raises ``error``."""
    s.expect_raises(error, "jwt", subject, "decode", token(claims), KEY, algorithms=["HS256"],
                    **kwargs)
