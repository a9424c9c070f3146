"""Level 2: a crit header is ignored, so a token that demands an extension this code does not understand is accepted.

RFC 7515 section 4.1.11 says such a token must be rejected.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
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


_HMAC = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
_SUPPORTED = frozenset({*_HMAC, "RS256", "ES256"})
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_SSH_PREFIXES = (b"ssh-rsa", b"ssh-dss", b"ssh-ed25519", b"ecdsa-sha2-nistp256",
                 b"ecdsa-sha2-nistp384", b"ecdsa-sha2-nistp521", b"sk-ssh-ed25519",
                 b"sk-ecdsa-sha2-nistp256")
_TIME_CLAIMS = ("exp", "nbf", "iat")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(segment: str) -> bytes:
    if not _B64URL.fullmatch(segment):
        raise DecodeError("a segment holds a character outside the base64url alphabet")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DecodeError(f"invalid base64url: {exc}") from None


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for name, value in pairs:
        if name in obj:
            raise DecodeError(f"duplicate JSON member {name!r}")
        obj[name] = value
    return obj


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_reject_duplicates)
    except (UnicodeDecodeError, ValueError) as exc:
        raise DecodeError(f"the {what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise DecodeError(f"the {what} is not a JSON object")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _hmac_key(key: Any) -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)):
        raise InvalidKeyError("an HMAC key must be bytes or str")
    key = bytes(key)
    stripped = key.strip()
    if stripped.startswith(b"-----BEGIN "):
        raise InvalidKeyError("a PEM key cannot be used as an HMAC secret")
    first = stripped.split(None, 1)[0] if stripped else b""
    if first in _SSH_PREFIXES or first.endswith(b"-cert-v01@openssh.com"):
        raise InvalidKeyError("an SSH public key cannot be used as an HMAC secret")
    return key


def _load_pem(key: Any, private: bool) -> Any:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)):
        return key
    key = bytes(key)
    try:
        if private:
            return serialization.load_pem_private_key(key, password=None)
        try:
            return serialization.load_pem_public_key(key)
        except ValueError:
            return serialization.load_pem_private_key(key, password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidKeyError(f"cannot load the PEM key: {exc}") from None


def _public_key(key: Any, kind: type) -> Any:
    key = _load_pem(key, private=False)
    if isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        key = key.public_key()
    if not isinstance(key, kind):
        raise InvalidKeyError(f"expected a {kind.__name__}")
    return key


def _private_key(key: Any, kind: type) -> Any:
    key = _load_pem(key, private=True)
    if not isinstance(key, kind):
        raise InvalidKeyError(f"expected a {kind.__name__}")
    return key


def _check_curve(key: Any) -> None:
    if not isinstance(key.curve, ec.SECP256R1):
        raise InvalidKeyError("ES256 needs a P-256 key")


def _sign(algorithm: str, signing_input: bytes, key: Any) -> bytes:
    if algorithm in _HMAC:
        return hmac.new(_hmac_key(key), signing_input, _HMAC[algorithm]).digest()
    if algorithm == "RS256":
        private = _private_key(key, rsa.RSAPrivateKey)
        return private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    if algorithm == "ES256":
        private = _private_key(key, ec.EllipticCurvePrivateKey)
        _check_curve(private)
        r, s = decode_dss_signature(private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    raise InvalidAlgorithmError(f"unsupported algorithm {algorithm!r}")


def _verify(algorithm: str, signing_input: bytes, signature: bytes, key: Any) -> None:
    if algorithm in _HMAC:
        expected = hmac.new(_hmac_key(key), signing_input, _HMAC[algorithm]).digest()
        if not hmac.compare_digest(expected, signature):
            raise InvalidSignatureError("signature verification failed")
        return
    try:
        if algorithm == "RS256":
            public = _public_key(key, rsa.RSAPublicKey)
            public.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            return
        if algorithm == "ES256":
            public = _public_key(key, ec.EllipticCurvePublicKey)
            _check_curve(public)
            if len(signature) != 64:
                raise InvalidSignatureError("an ES256 signature is 64 bytes")
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            public.verify(encode_dss_signature(r, s), signing_input,
                          ec.ECDSA(hashes.SHA256()))
            return
    except InvalidSignature:
        raise InvalidSignatureError("signature verification failed") from None
    raise InvalidAlgorithmError(f"unsupported algorithm {algorithm!r}")


def encode(payload: Mapping[str, Any], key: Any, algorithm: str = "HS256",
           headers: Mapping[str, Any] | None = None) -> str:
    """Sign ``payload`` and return the compact token ``header.payload.signature``."""
    if algorithm not in _SUPPORTED:
        raise InvalidAlgorithmError(f"unsupported algorithm {algorithm!r}")
    header = {"alg": algorithm, "typ": "JWT", **(headers or {})}
    header["alg"] = algorithm
    segments = [_b64encode(json.dumps(header, separators=(",", ":")).encode("utf-8")),
                _b64encode(json.dumps(dict(payload), separators=(",", ":")).encode("utf-8"))]
    signing_input = ".".join(segments).encode("ascii")
    segments.append(_b64encode(_sign(algorithm, signing_input, key)))
    return ".".join(segments)


def decode(token: str | bytes, key: Any, *, algorithms: Iterable[str],
           audience: str | Iterable[str] | None = None, issuer: str | None = None,
           leeway: float = 0, now: float | None = None,
           require: Iterable[str] = ()) -> dict[str, Any]:
    """Verify ``token`` with ``key`` and return its claims."""
    if algorithms is None:
        raise TypeError("algorithms is required: list the algorithms you accept")
    allowed = {algorithms} if isinstance(algorithms, str) else set(algorithms)

    if isinstance(token, (bytes, bytearray)):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise DecodeError("a token is ASCII") from None
    if not isinstance(token, str):
        raise DecodeError("a token is a str or bytes")
    parts = token.split(".")
    if len(parts) != 3:
        raise DecodeError(f"a token has three segments, not {len(parts)}")
    header_b64, payload_b64, signature_b64 = parts
    header = _json_object(_b64decode(header_b64), "header")
    payload = _json_object(_b64decode(payload_b64), "payload")
    signature = _b64decode(signature_b64)
    for name in _TIME_CLAIMS:
        if name in payload and not _is_number(payload[name]):
            raise DecodeError(f"{name} must be a number")

    if "alg" not in header:
        raise InvalidAlgorithmError("the header has no alg")
    alg = header["alg"]
    if not isinstance(alg, str) or alg.lower() == "none":
        raise InvalidAlgorithmError("unsigned tokens are refused")
    if alg not in allowed or alg not in _SUPPORTED:
        raise InvalidAlgorithmError(f"algorithm {alg!r} is not allowed")

    signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
    _verify(alg, signing_input, signature, key)

    if now is None:
        now = time.time()
    if hasattr(leeway, "total_seconds"):
        leeway = leeway.total_seconds()
    if "exp" in payload and not now < payload["exp"] + leeway:
        raise ExpiredSignatureError("the token has expired")
    if "nbf" in payload and not now >= payload["nbf"] - leeway:
        raise ImmatureSignatureError("the token is not valid yet (nbf)")
    if "iat" in payload and not payload["iat"] <= now + leeway:
        raise ImmatureSignatureError("the token was issued in the future (iat)")

    if "aud" in payload:
        aud = payload["aud"]
        auds = [aud] if isinstance(aud, str) else aud
        if not isinstance(auds, list) or not all(isinstance(a, str) for a in auds):
            raise InvalidAudienceError("aud must be a string or a list of strings")
        if audience is None:
            raise InvalidAudienceError("the token has an audience, and none was expected")
        wanted = {audience} if isinstance(audience, str) else set(audience)
        if not wanted.intersection(auds):
            raise InvalidAudienceError("the token is for another audience")
    elif audience is not None:
        raise MissingRequiredClaimError("missing required claim: aud")

    if issuer is not None:
        if "iss" not in payload:
            raise MissingRequiredClaimError("missing required claim: iss")
        if payload["iss"] != issuer:
            raise InvalidIssuerError("the token comes from another issuer")

    for name in require:
        if name not in payload:
            raise MissingRequiredClaimError(f"missing required claim: {name}")
    return payload
