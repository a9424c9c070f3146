"""A pipeline of small pure functions: one regular expression splits the whole token, a
table drives the time rules, and ES256 signs deterministically (RFC 6979) when the
OpenSSL build allows it, falling back to random nonces.

encode puts typ first and lets ``headers`` override it (alg always names the algorithm
used); HMAC str keys are UTF-8, PEM keys may be given as str too; a crit header is an
InvalidAlgorithmError; algorithms=None is a TypeError.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import operator
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import (
    load_pem_private_key,
    load_pem_public_key,
)


class InvalidTokenError(Exception):
    """Base class: the token must not be trusted."""


class DecodeError(InvalidTokenError):
    """The token is not well-formed (segments, base64url, JSON)."""


class InvalidSignatureError(InvalidTokenError):
    """The signature does not match the header and payload."""


class ExpiredSignatureError(InvalidTokenError):
    """``exp`` has passed."""


class ImmatureSignatureError(InvalidTokenError):
    """``nbf`` is still ahead, or ``iat`` is in the future."""


class InvalidAudienceError(InvalidTokenError):
    """The token is meant for another audience."""


class InvalidIssuerError(InvalidTokenError):
    """The token was issued by someone else."""


class InvalidAlgorithmError(InvalidTokenError):
    """The header's algorithm is missing, ``none``, or not one the caller allowed."""


class InvalidKeyError(InvalidTokenError):
    """The key does not fit the algorithm (for instance a public key used as an HMAC secret)."""


class MissingRequiredClaimError(InvalidTokenError):
    """A claim the caller requires is absent."""



_TOKEN = re.compile(r"\A([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\Z")
_HASHES = {"HS256": "sha256", "HS384": "sha384", "HS512": "sha512"}
_KNOWN = (*_HASHES, "RS256", "ES256")
_LOOKS_ASYMMETRIC = (
    b"-----BEGIN ", b"ssh-rsa ", b"ssh-dss ", b"ssh-ed25519 ", b"ecdsa-sha2-nistp256 ",
    b"ecdsa-sha2-nistp384 ", b"ecdsa-sha2-nistp521 ", b"sk-ssh-ed25519@openssh.com ",
    b"sk-ecdsa-sha2-nistp256@openssh.com ", b"ssh-rsa-cert-v01@openssh.com ",
    b"ssh-ed25519-cert-v01@openssh.com ", b"ecdsa-sha2-nistp256-cert-v01@openssh.com ",
)

# claim, rule (claim, now, leeway) -> ok, error
_TIME_RULES: tuple[tuple[str, Callable[[float, float, float], bool], type[Exception]], ...] = (
    ("exp", lambda exp, now, lw: operator.lt(now, exp + lw), ExpiredSignatureError),
    ("nbf", lambda nbf, now, lw: operator.ge(now, nbf - lw), ImmatureSignatureError),
    ("iat", lambda iat, now, lw: operator.le(iat, now + lw), ImmatureSignatureError),
)


def _unb64(segment: str) -> bytes:
    if len(segment) % 4 == 1:
        raise DecodeError("truncated base64url segment")
    try:
        return base64.urlsafe_b64decode(segment + "==="[: -len(segment) % 4])
    except binascii.Error as exc:
        raise DecodeError(str(exc)) from None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen = dict(pairs)
    if len(seen) != len(pairs):
        raise DecodeError("duplicate member names")
    return seen


def _json(segment: str) -> dict[str, Any]:
    try:
        text = _unb64(segment).decode("utf-8")
        value = json.loads(text, object_pairs_hook=_unique)
    except DecodeError:
        raise
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise DecodeError(f"not JSON: {exc}") from None
    if type(value) is not dict:
        raise DecodeError("not a JSON object")
    return value


def _as_bytes(key: Any) -> bytes | None:
    if isinstance(key, str):
        return key.encode("utf-8")
    if isinstance(key, (bytes, bytearray, memoryview)):
        return bytes(key)
    return None


def _hmac_secret(key: Any) -> bytes:
    secret = _as_bytes(key)
    if secret is None:
        raise InvalidKeyError("an HMAC key is bytes or str")
    if (secret.lstrip() + b" ").startswith(_LOOKS_ASYMMETRIC):
        raise InvalidKeyError("refusing to use an asymmetric key as an HMAC secret")
    return secret


def _pem(key: Any) -> Any:
    data = _as_bytes(key)
    if data is None:
        return key
    try:
        return load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        pass
    try:
        return load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InvalidKeyError(f"not a PEM key: {exc}") from None


def _rsa(key: Any, *, sign: bool) -> Any:
    key = _pem(key)
    if not sign and isinstance(key, rsa.RSAPrivateKey):
        key = key.public_key()
    if not isinstance(key, rsa.RSAPrivateKey if sign else rsa.RSAPublicKey):
        raise InvalidKeyError("RS256 needs an RSA key")
    return key


def _p256(key: Any, *, sign: bool) -> Any:
    key = _pem(key)
    if not sign and isinstance(key, ec.EllipticCurvePrivateKey):
        key = key.public_key()
    wanted = ec.EllipticCurvePrivateKey if sign else ec.EllipticCurvePublicKey
    if not isinstance(key, wanted) or key.curve.name != "secp256r1":
        raise InvalidKeyError("ES256 needs a P-256 key")
    return key


def _ecdsa_sign(key: Any, message: bytes) -> bytes:
    try:
        der = key.sign(message, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    except (TypeError, UnsupportedAlgorithm):
        der = key.sign(message, ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return b"".join(n.to_bytes(32, "big") for n in (r, s))


def _sign(alg: str, message: bytes, key: Any) -> bytes:
    if alg in _HASHES:
        return hmac.digest(_hmac_secret(key), message, _HASHES[alg])
    if alg == "RS256":
        return _rsa(key, sign=True).sign(message, padding.PKCS1v15(), hashes.SHA256())
    return _ecdsa_sign(_p256(key, sign=True), message)


def _signature_ok(alg: str, message: bytes, signature: bytes, key: Any) -> bool:
    if alg in _HASHES:
        return hmac.compare_digest(hmac.digest(_hmac_secret(key), message, _HASHES[alg]),
                                   signature)
    try:
        if alg == "RS256":
            _rsa(key, sign=False).verify(signature, message, padding.PKCS1v15(),
                                         hashes.SHA256())
            return True
        public = _p256(key, sign=False)
        if len(signature) != 64:
            return False
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                   int.from_bytes(signature[32:], "big"))
        public.verify(der, message, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def encode(payload: Mapping[str, Any], key: Any, algorithm: str = "HS256",
           headers: Mapping[str, Any] | None = None) -> str:
    """Sign ``payload`` and return the compact token ``header.payload.signature``."""
    if algorithm not in _KNOWN:
        raise InvalidAlgorithmError(f"{algorithm!r} is not supported")
    header = {"typ": "JWT", **dict(headers or {}), "alg": algorithm}
    compact = {"separators": (",", ":"), "ensure_ascii": True}
    signing_input = _b64(json.dumps(header, **compact).encode()) + "." + _b64(
        json.dumps(dict(payload), **compact).encode())
    return signing_input + "." + _b64(_sign(algorithm, signing_input.encode("ascii"), key))


def _check_audience(claims: dict[str, Any], audience: str | Iterable[str] | None) -> None:
    if "aud" not in claims:
        if audience is not None:
            raise MissingRequiredClaimError("aud is required")
        return
    aud = claims["aud"]
    got = {aud} if isinstance(aud, str) else aud
    if not isinstance(got, (set, list)) or not all(isinstance(a, str) for a in got):
        raise InvalidAudienceError("invalid aud claim")
    if audience is None:
        raise InvalidAudienceError("the token is for a named audience")
    want = {audience} if isinstance(audience, str) else set(audience)
    if want.isdisjoint(got):
        raise InvalidAudienceError("not for this audience")


def decode(token: str | bytes, key: Any, *, algorithms: Iterable[str],
           audience: str | Iterable[str] | None = None, issuer: str | None = None,
           leeway: float = 0, now: float | None = None,
           require: Iterable[str] = ()) -> dict[str, Any]:
    """Verify ``token`` with ``key`` and return its claims."""
    if algorithms is None:
        raise TypeError("pass algorithms=[...]: the token must not choose")
    accepted = (algorithms,) if isinstance(algorithms, str) else tuple(algorithms)
    if isinstance(token, (bytes, bytearray)):
        token = bytes(token).decode("latin-1")
    match = _TOKEN.match(token) if isinstance(token, str) else None
    if match is None:
        raise DecodeError("expected three base64url segments separated by dots")
    head, body, sig = match.groups()
    header, claims, signature = _json(head), _json(body), _unb64(sig)
    for name, _, _ in _TIME_RULES:
        value = claims.get(name)
        if name in claims and (type(value) is bool or not isinstance(value, (int, float))):
            raise DecodeError(f"{name} is not a NumericDate")

    alg = header.get("alg")
    if type(alg) is not str or alg.lower() == "none" or alg not in accepted \
            or alg not in _KNOWN:
        raise InvalidAlgorithmError(f"algorithm {alg!r} refused")
    if "crit" in header:
        raise InvalidAlgorithmError("crit header present: extensions are not supported")
    if not _signature_ok(alg, f"{head}.{body}".encode("ascii"), signature, key):
        raise InvalidSignatureError("bad signature")

    at = time.time() if now is None else now
    slack = getattr(leeway, "total_seconds", lambda: leeway)()
    for name, ok, error in _TIME_RULES:
        if name in claims and not ok(claims[name], at, slack):
            raise error(f"{name} check failed at {at}")
    _check_audience(claims, audience)
    if issuer is not None and "iss" not in claims:
        raise MissingRequiredClaimError("iss is required")
    if issuer is not None and claims["iss"] != issuer:
        raise InvalidIssuerError("unexpected issuer")
    missing = [name for name in require if name not in claims]
    if missing:
        raise MissingRequiredClaimError(f"missing claims: {', '.join(missing)}")
    return claims
