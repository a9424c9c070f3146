"""Compares MACs as base64url text (hmac.compare_digest on ASCII, still constant time),
converts ES256 signatures between raw r||s and DER with a hand-written ASN.1 codec, and
strips padding-free base64url with binascii.a2b_base64(strict_mode=True).

The encoded header keeps the caller's extra fields (kid, cty, ...) after alg and typ.
"""

from __future__ import annotations

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



_DIGESTS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
_ASYMMETRIC = ("RS256", "ES256")
_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")
_TO_STD = str.maketrans("-_", "+/")
_TO_URL = str.maketrans("+/", "-_", "=")
_ASYMMETRIC_SECRET = re.compile(
    rb"\s*(-----BEGIN |(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)"
    rb"|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)(-cert-v01@openssh\.com)?\s)")


def _b64e(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii").translate(_TO_URL)


def _b64d(segment: str) -> bytes:
    if _SEGMENT.fullmatch(segment) is None:
        raise DecodeError("not base64url without padding")
    std = segment.translate(_TO_STD) + "=" * (-len(segment) % 4)
    try:
        return binascii.a2b_base64(std.encode("ascii"), strict_mode=True)
    except binascii.Error as exc:
        raise DecodeError(f"bad base64url: {exc}") from None


# --- ES256: raw r||s <-> DER SEQUENCE { INTEGER r, INTEGER s }, by hand -----------------

def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _der_integer(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")  # room for a sign bit
    while len(body) > 1 and body[0] == 0 and body[1] < 0x80:
        body = body[1:]
    return b"\x02" + _der_length(len(body)) + body


def _raw_to_der(raw: bytes) -> bytes:
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    body = _der_integer(r) + _der_integer(s)
    return b"\x30" + _der_length(len(body)) + body


def _read_tlv(data: bytes, pos: int, tag: int) -> tuple[bytes, int]:
    if data[pos] != tag:
        raise ValueError("unexpected DER tag")
    length, pos = data[pos + 1], pos + 2
    if length & 0x80:
        count = length & 0x7F
        length, pos = int.from_bytes(data[pos:pos + count], "big"), pos + count
    return data[pos:pos + length], pos + length


def _der_to_raw(der: bytes) -> bytes:
    body, _ = _read_tlv(der, 0, 0x30)
    r, pos = _read_tlv(body, 0, 0x02)
    s, _ = _read_tlv(body, pos, 0x02)
    return int.from_bytes(r, "big").to_bytes(32, "big") + int.from_bytes(s, "big").to_bytes(32, "big")


# --- keys --------------------------------------------------------------------------------

def _secret(key: Any) -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)):
        raise InvalidKeyError("HMAC keys are bytes or str")
    key = bytes(key)
    if _ASYMMETRIC_SECRET.match(key + b" "):
        raise InvalidKeyError("that is an asymmetric key, not an HMAC secret")
    return key


def _asymmetric(key: Any, alg: str, private: bool) -> Any:
    if isinstance(key, str):
        key = key.encode("ascii")
    if isinstance(key, (bytes, bytearray)):
        pem = bytes(key)
        try:
            if b"PRIVATE KEY-----" in pem:
                key = serialization.load_pem_private_key(pem, password=None)
            else:
                key = serialization.load_pem_public_key(pem)
        except (ValueError, TypeError, UnicodeError) as exc:
            raise InvalidKeyError(f"unreadable PEM key: {exc}") from None
    if alg == "RS256":
        priv, pub = rsa.RSAPrivateKey, rsa.RSAPublicKey
    else:
        priv, pub = ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey
    if private:
        ok = isinstance(key, priv)
    else:
        if isinstance(key, priv):
            key = key.public_key()
        ok = isinstance(key, pub)
    if not ok:
        raise InvalidKeyError(f"wrong key type for {alg}: {type(key).__name__}")
    if alg == "ES256" and not isinstance(key.curve, ec.SECP256R1):
        raise InvalidKeyError("ES256 is defined on P-256 only")
    return key


# --- public API ----------------------------------------------------------------------------

def _signature_text(alg: str, message: bytes, key: Any) -> str:
    if alg in _DIGESTS:
        return _b64e(hmac.new(_secret(key), message, _DIGESTS[alg]).digest())
    signer = _asymmetric(key, alg, private=True)
    if alg == "RS256":
        return _b64e(signer.sign(message, padding.PKCS1v15(), hashes.SHA256()))
    return _b64e(_der_to_raw(signer.sign(message, ec.ECDSA(hashes.SHA256()))))


def encode(payload: Mapping[str, Any], key: Any, algorithm: str = "HS256",
           headers: Mapping[str, Any] | None = None) -> str:
    """Sign ``payload`` and return the compact token ``header.payload.signature``."""
    if algorithm not in _DIGESTS and algorithm not in _ASYMMETRIC:
        raise InvalidAlgorithmError(f"unknown algorithm {algorithm}")
    header: dict[str, Any] = {"alg": algorithm, "typ": "JWT"}
    for name, value in (headers or {}).items():
        if name != "alg":
            header[name] = value
    head = _b64e(json.dumps(header, separators=(",", ":")).encode())
    body = _b64e(json.dumps(dict(payload), separators=(",", ":")).encode())
    message = f"{head}.{body}"
    return f"{message}.{_signature_text(algorithm, message.encode('ascii'), key)}"


def _strict_object(data: bytes) -> dict[str, Any]:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in items:
            if name in out:
                raise DecodeError(f"member {name!r} appears twice")
            out[name] = value
        return out
    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=pairs)
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, DecodeError):
            raise
        raise DecodeError(f"invalid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise DecodeError("expected a JSON object")
    return value


def _verify(alg: str, message: bytes, signature_b64: str, signature: bytes, key: Any) -> None:
    if alg in _DIGESTS:
        expected = _signature_text(alg, message, key)
        if not hmac.compare_digest(expected.encode("ascii"), signature_b64.encode("ascii")):
            raise InvalidSignatureError("HMAC mismatch")
        return
    verifier = _asymmetric(key, alg, private=False)
    try:
        if alg == "RS256":
            verifier.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        elif len(signature) != 64:
            raise InvalidSignatureError("ES256 signatures are 64 bytes")
        else:
            verifier.verify(_raw_to_der(signature), message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise InvalidSignatureError("signature mismatch") from None


def decode(token: str | bytes, key: Any, *, algorithms: Iterable[str],
           audience: str | Iterable[str] | None = None, issuer: str | None = None,
           leeway: float = 0, now: float | None = None,
           require: Iterable[str] = ()) -> dict[str, Any]:
    """Verify ``token`` with ``key`` and return its claims."""
    allowed = [algorithms] if isinstance(algorithms, str) else list(algorithms)
    if isinstance(token, (bytes, bytearray)):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise DecodeError("non-ASCII token") from None
    segments = token.split(".")
    if len(segments) != 3:
        raise DecodeError("a JWS has exactly three segments")
    head, body, sig = segments
    header, claims = _strict_object(_b64d(head)), _strict_object(_b64d(body))
    signature = _b64d(sig)
    for name in ("exp", "nbf", "iat"):
        if name in claims and (isinstance(claims[name], bool)
                               or not isinstance(claims[name], (int, float))):
            raise DecodeError(f"{name} must be a NumericDate")

    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":
        raise InvalidAlgorithmError("missing or unsecured alg")
    if alg not in allowed or not (alg in _DIGESTS or alg in _ASYMMETRIC):
        raise InvalidAlgorithmError(f"{alg} is not an accepted algorithm")
    if "crit" in header:
        raise InvalidTokenError("crit extensions are not understood")
    _verify(alg, f"{head}.{body}".encode("ascii"), sig, signature, key)

    current = time.time() if now is None else now
    slack = leeway.total_seconds() if hasattr(leeway, "total_seconds") else leeway
    if "exp" in claims and not current < claims["exp"] + slack:
        raise ExpiredSignatureError("expired")
    if "nbf" in claims and not current >= claims["nbf"] - slack:
        raise ImmatureSignatureError("not before")
    if "iat" in claims and not claims["iat"] <= current + slack:
        raise ImmatureSignatureError("issued in the future")

    if "aud" in claims:
        aud = claims["aud"]
        names = [aud] if isinstance(aud, str) else aud
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise InvalidAudienceError("malformed aud")
        if audience is None:
            raise InvalidAudienceError("unexpected aud")
        expected = [audience] if isinstance(audience, str) else list(audience)
        if not any(n in expected for n in names):
            raise InvalidAudienceError("wrong audience")
    elif audience is not None:
        raise MissingRequiredClaimError("aud")
    if issuer is not None:
        if "iss" not in claims:
            raise MissingRequiredClaimError("iss")
        if claims["iss"] != issuer:
            raise InvalidIssuerError("wrong issuer")
    for name in require:
        if name not in claims:
            raise MissingRequiredClaimError(name)
    return claims
