"""JSON Web Tokens (RFC 7519) in JWS compact form (RFC 7515): the reference solution.

``encode`` signs a payload; ``decode`` verifies a token and returns its claims, refusing
everything RFC 8725 (JWT Best Current Practices) warns about: ``alg: none``, algorithms the
caller did not allow, an HMAC "secret" that is really a public key (the algorithm-confusion
attack), and claims read before the signature is checked.

HMAC comes from the standard library (``hmac``, ``hashlib``); RS256 and ES256 from
``cryptography``. Every check of a token happens in this order: structure, header and
algorithm policy, signature, then claims, so that nothing an attacker wrote is trusted
before the signature says the issuer wrote it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import math
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "DecodeError", "ExpiredSignatureError", "ImmatureSignatureError", "InvalidAlgorithmError",
    "InvalidAudienceError", "InvalidIssuerError", "InvalidKeyError", "InvalidSignatureError",
    "InvalidTokenError", "MissingRequiredClaimError", "decode", "encode",
]


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

    def __init__(self, claim: str) -> None:
        super().__init__(f'token is missing the "{claim}" claim')
        self.claim = claim


_HMAC = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
_ASYMMETRIC = ("RS256", "ES256")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
# An HMAC secret must never be something that looks like a public key: RFC 8725 §3.1.
_ASYMMETRIC_KEY_MARKERS = (b"-----BEGIN ", b"ssh-rsa ", b"ssh-ed25519 ", b"ecdsa-sha2-",
                           b"ssh-dss ")
_TIME_CLAIMS = ("exp", "nbf", "iat")
# Compact JSON, as JWTs are written. Speed: one encoder made once; json.dumps with any
# non-default argument builds a new JSONEncoder on every call.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))


# -- encoding helpers ------------------------------------------------------------------------

def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(segment: str, what: str) -> bytes:
    # Strict base64url (RFC 7515 §2): no padding, nothing outside the alphabet, and no
    # leftover bits (a length of 1 mod 4 cannot come from any byte string).
    if not _BASE64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise DecodeError(f"the {what} is not base64url without padding")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DecodeError(f"the {what} is not valid base64url") from exc


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        duplicate = next(n for n in names if names.count(n) > 1)
        raise DecodeError(f'duplicate member name "{duplicate}" (RFC 7515 §4)')
    return dict(pairs)


# Speed: one decoder made once; json.loads with object_pairs_hook builds a new
# JSONDecoder on every call.
_STRICT_JSON = json.JSONDecoder(object_pairs_hook=_unique_object)


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = _STRICT_JSON.decode(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, DecodeError):
            raise
        raise DecodeError(f"the {what} is not JSON") from exc
    if not isinstance(value, dict):
        raise DecodeError(f"the {what} is not a JSON object")
    return value


def _as_bytes(key: str | bytes) -> bytes:
    return key.encode("utf-8") if isinstance(key, str) else key


# -- keys and signatures ---------------------------------------------------------------------

def _hmac_key(key: Any) -> bytes:
    if not isinstance(key, str | bytes):
        raise InvalidKeyError("an HMAC key must be bytes or str")
    raw = _as_bytes(key).lstrip()
    if raw.startswith(_ASYMMETRIC_KEY_MARKERS):
        raise InvalidKeyError("this HMAC secret looks like an asymmetric key: using a public "
                              "key as an HMAC secret is the algorithm-confusion attack")
    return _as_bytes(key)


def _private_key(key: Any, algorithm: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    if isinstance(key, str | bytes):
        try:
            key = load_pem_private_key(_as_bytes(key), password=None)
        except (ValueError, TypeError) as exc:
            raise InvalidKeyError(f"{algorithm} needs a PEM private key") from exc
    wanted = rsa.RSAPrivateKey if algorithm == "RS256" else ec.EllipticCurvePrivateKey
    if not isinstance(key, wanted):
        raise InvalidKeyError(f"{algorithm} needs an {wanted.__name__}")
    return key


@functools.lru_cache(maxsize=64)
def _load_public_pem(data: bytes) -> Any:
    """The public key in PEM ``data`` (a public key, or a private key's public half).

    Speed: cached, because a service passes the same PEM bytes with every token, and
    parsing them costs more than verifying an ES256 signature. The keys are immutable, and
    PEM that does not parse is not cached (the exception propagates past the cache).
    """
    from cryptography.hazmat.primitives.serialization import (
        load_pem_private_key,
        load_pem_public_key,
    )

    try:
        return load_pem_public_key(data)
    except (ValueError, TypeError):
        return load_pem_private_key(data, password=None).public_key()


def _public_key(key: Any, algorithm: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if isinstance(key, str | bytes):
        try:
            key = _load_public_pem(_as_bytes(key))
        except (ValueError, TypeError) as exc:
            raise InvalidKeyError(f"{algorithm} needs a PEM public key") from exc
    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        key = key.public_key()
    if algorithm == "RS256" and not isinstance(key, rsa.RSAPublicKey):
        raise InvalidKeyError("RS256 needs an RSA key")
    if algorithm == "ES256" and not (isinstance(key, ec.EllipticCurvePublicKey)
                                     and key.curve.name == "secp256r1"):
        raise InvalidKeyError("ES256 needs a P-256 elliptic-curve key")
    return key


def _sign(signing_input: bytes, key: Any, algorithm: str) -> bytes:
    if algorithm in _HMAC:
        return hmac.new(_hmac_key(key), signing_input, _HMAC[algorithm]).digest()
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    private = _private_key(key, algorithm)
    if algorithm == "RS256":
        return bytes(private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256()))
    # JOSE wants ECDSA signatures as the raw 32-byte r followed by the 32-byte s (RFC 7518
    # §3.4), not the DER structure cryptography produces.
    r, s = decode_dss_signature(private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _verify(signing_input: bytes, signature: bytes, key: Any, algorithm: str) -> bool:
    if algorithm in _HMAC:
        expected = hmac.new(_hmac_key(key), signing_input, _HMAC[algorithm]).digest()
        return hmac.compare_digest(expected, signature)  # constant time: no timing oracle
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    public = _public_key(key, algorithm)
    try:
        if algorithm == "RS256":
            public.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            if len(signature) != 64:
                return False
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                       int.from_bytes(signature[32:], "big"))
            public.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


# -- the public API ----------------------------------------------------------------------

def encode(payload: Mapping[str, Any], key: Any, algorithm: str = "HS256",
           headers: Mapping[str, Any] | None = None) -> str:
    """Sign ``payload`` with ``key`` and return the compact token ``header.payload.sig``."""
    if algorithm not in _HMAC and algorithm not in _ASYMMETRIC:
        raise InvalidAlgorithmError(f"unsupported algorithm {algorithm!r}")
    header = {"alg": algorithm, "typ": "JWT", **(headers or {})}
    header["alg"] = algorithm
    signing_input = (_b64encode(_COMPACT_JSON.encode(header).encode()) + "."
                     + _b64encode(_COMPACT_JSON.encode(dict(payload)).encode()))
    signature = _sign(signing_input.encode("ascii"), key, algorithm)
    return signing_input + "." + _b64encode(signature)


def _number(claims: Mapping[str, Any], name: str) -> float | None:
    if name not in claims:
        return None
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DecodeError(f'the "{name}" claim must be a number (seconds since the epoch)')
    return float(value)


def decode(token: str | bytes, key: Any, *, algorithms: Iterable[str],
           audience: str | Iterable[str] | None = None, issuer: str | None = None,
           leeway: float = 0, now: float | None = None,
           require: Iterable[str] = ()) -> dict[str, Any]:
    """Verify ``token`` and return its claims; raise an :class:`InvalidTokenError` otherwise."""
    if algorithms is None:
        raise InvalidAlgorithmError("algorithms is required: say which ones you accept")
    allowed = [algorithms] if isinstance(algorithms, str) else list(algorithms)
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise DecodeError("a token is ASCII text") from exc
    if not isinstance(token, str):
        raise DecodeError("a token is a string")
    segments = token.split(".")
    if len(segments) != 3:
        raise DecodeError("a JWS token has three segments separated by dots")
    header_b64, payload_b64, signature_b64 = segments
    header = _json_object(_b64decode(header_b64, "header"), "header")
    payload_bytes = _b64decode(payload_b64, "payload")
    signature = _b64decode(signature_b64, "signature")

    # Algorithm policy: the caller decides, never the token (RFC 8725 §3.1).
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or algorithm.lower() == "none":
        raise InvalidAlgorithmError('the header has no usable "alg" ("none" is never accepted)')
    if algorithm not in allowed or (algorithm not in _HMAC and algorithm not in _ASYMMETRIC):
        raise InvalidAlgorithmError(f"algorithm {algorithm!r} is not allowed here")
    if "crit" in header:
        raise InvalidTokenError('the "crit" header names extensions this library does not know')

    # The signature before any claim: nothing in the payload is trusted until it matches.
    if not _verify(f"{header_b64}.{payload_b64}".encode("ascii"), signature, key, algorithm):
        raise InvalidSignatureError("the signature does not match")
    claims = _json_object(payload_bytes, "payload")

    numbers = {name: _number(claims, name) for name in _TIME_CLAIMS}
    moment = time.time() if now is None else float(now)
    for name in require:
        if name not in claims:
            raise MissingRequiredClaimError(name)
    if numbers["exp"] is not None and not moment < numbers["exp"] + leeway:
        raise ExpiredSignatureError("the token has expired")
    if numbers["nbf"] is not None and moment < numbers["nbf"] - leeway:
        raise ImmatureSignatureError("the token is not valid yet (nbf)")
    if numbers["iat"] is not None and numbers["iat"] > moment + leeway:
        raise ImmatureSignatureError("the token was issued in the future (iat)")
    _check_audience(claims, audience)
    if issuer is not None:
        if "iss" not in claims:
            raise MissingRequiredClaimError("iss")
        if claims["iss"] != issuer:
            raise InvalidIssuerError("the token was issued by someone else")
    return claims


def _check_audience(claims: Mapping[str, Any], audience: str | Iterable[str] | None) -> None:
    if audience is None:
        if "aud" in claims:
            # A token meant for some audience must not be accepted by a service that did
            # not say who it is: another service's token would pass (audience confusion).
            raise InvalidAudienceError("the token names an audience; pass audience=...")
        return
    if "aud" not in claims:
        raise MissingRequiredClaimError("aud")
    accepted = {audience} if isinstance(audience, str) else set(audience)
    aud = claims["aud"]
    names = [aud] if isinstance(aud, str) else aud
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidAudienceError('"aud" must be a string or a list of strings')
    if not accepted.intersection(names):
        raise InvalidAudienceError("the token is meant for another audience")
