"""Class-based: one object per algorithm in a registry, a Token value parsed strictly, and a
ClaimsPolicy that checks time, audience, issuer and required claims.

encode writes both JSON objects with sorted keys (a kid lands between alg and typ) and
keeps extra header fields; a crit header is reported as a DecodeError and
algorithms=None as an InvalidAlgorithmError (both left open by the README).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import string
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils


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



_ALPHABET = frozenset(string.ascii_letters + string.digits + "-_")


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64url_decode(text: str) -> bytes:
    if not set(text) <= _ALPHABET:
        raise DecodeError("segments use the base64url alphabet only, without padding")
    if len(text) % 4 == 1:
        raise DecodeError("a base64url segment cannot have this length")
    try:
        return base64.b64decode(text.replace("-", "+").replace("_", "/")
                                + "=" * (-len(text) % 4), validate=True)
    except binascii.Error as exc:
        raise DecodeError(str(exc)) from None


class Algorithm:
    """Signs and verifies one JWS algorithm."""

    name: ClassVar[str]

    def sign(self, message: bytes, key: Any) -> bytes:
        raise NotImplementedError

    def verify(self, message: bytes, signature: bytes, key: Any) -> bool:
        raise NotImplementedError


class HMACAlgorithm(Algorithm):
    _OPENSSH = ("ssh-rsa", "ssh-dss", "ssh-ed25519", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-")

    def __init__(self, name: str, digest: Any) -> None:
        self.name = name
        self.digest = digest

    @classmethod
    def secret(cls, key: Any) -> bytes:
        if isinstance(key, str):
            key = key.encode("utf-8")
        elif isinstance(key, (bytes, bytearray, memoryview)):
            key = bytes(key)
        else:
            raise InvalidKeyError(f"an HMAC secret is bytes or str, not {type(key).__name__}")
        text = key.decode("latin-1").lstrip()
        if text.startswith("-----BEGIN "):
            raise InvalidKeyError("PEM key material cannot be an HMAC secret")
        word = text.split(maxsplit=1)[0] if text.strip() else ""
        if word.startswith(cls._OPENSSH) or word.endswith("-cert-v01@openssh.com"):
            raise InvalidKeyError("an OpenSSH public key cannot be an HMAC secret")
        return key

    def sign(self, message: bytes, key: Any) -> bytes:
        return hmac.new(self.secret(key), message, self.digest).digest()

    def verify(self, message: bytes, signature: bytes, key: Any) -> bool:
        return hmac.compare_digest(self.sign(message, key), signature)


class AsymmetricAlgorithm(Algorithm):
    private_type: ClassVar[type]
    public_type: ClassVar[type]

    def _load(self, key: Any) -> Any:
        if isinstance(key, str):
            key = key.encode("ascii")
        if isinstance(key, (bytes, bytearray)):
            data = bytes(key)
            loaders = (lambda: serialization.load_pem_public_key(data),
                       lambda: serialization.load_pem_private_key(data, password=None))
            for load in loaders:
                try:
                    return load()
                except (ValueError, TypeError):
                    continue
            raise InvalidKeyError(f"{self.name}: the PEM data is not a usable key")
        return key

    def private_key(self, key: Any) -> Any:
        key = self._load(key)
        if not isinstance(key, self.private_type):
            raise InvalidKeyError(f"{self.name} signs with a {self.private_type.__name__}")
        return self.check(key)

    def public_key(self, key: Any) -> Any:
        key = self._load(key)
        if isinstance(key, self.private_type):
            key = key.public_key()
        if not isinstance(key, self.public_type):
            raise InvalidKeyError(f"{self.name} verifies with a {self.public_type.__name__}")
        return self.check(key)

    def check(self, key: Any) -> Any:
        return key


class RSAAlgorithm(AsymmetricAlgorithm):
    name = "RS256"
    private_type = rsa.RSAPrivateKey
    public_type = rsa.RSAPublicKey

    def sign(self, message: bytes, key: Any) -> bytes:
        return self.private_key(key).sign(message, padding.PKCS1v15(), hashes.SHA256())

    def verify(self, message: bytes, signature: bytes, key: Any) -> bool:
        try:
            self.public_key(key).verify(signature, message, padding.PKCS1v15(),
                                        hashes.SHA256())
        except InvalidSignature:
            return False
        return True


class ECAlgorithm(AsymmetricAlgorithm):
    name = "ES256"
    private_type = ec.EllipticCurvePrivateKey
    public_type = ec.EllipticCurvePublicKey
    SIZE = 32

    def check(self, key: Any) -> Any:
        if key.curve.name != "secp256r1":
            raise InvalidKeyError(f"ES256 needs a P-256 key, not {key.curve.name}")
        return key

    def sign(self, message: bytes, key: Any) -> bytes:
        der = self.private_key(key).sign(message, ec.ECDSA(hashes.SHA256()))
        r, s = utils.decode_dss_signature(der)
        return r.to_bytes(self.SIZE, "big") + s.to_bytes(self.SIZE, "big")

    def verify(self, message: bytes, signature: bytes, key: Any) -> bool:
        public = self.public_key(key)
        if len(signature) != 2 * self.SIZE:
            return False
        r = int.from_bytes(signature[:self.SIZE], "big")
        s = int.from_bytes(signature[self.SIZE:], "big")
        try:
            public.verify(utils.encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True


REGISTRY: dict[str, Algorithm] = {
    "HS256": HMACAlgorithm("HS256", hashlib.sha256),
    "HS384": HMACAlgorithm("HS384", hashlib.sha384),
    "HS512": HMACAlgorithm("HS512", hashlib.sha512),
    "RS256": RSAAlgorithm(),
    "ES256": ECAlgorithm(),
}


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        raise DecodeError("a JSON object repeats a member name")
    return dict(pairs)


@dataclass(frozen=True)
class Token:
    signing_input: bytes
    header: dict[str, Any]
    claims: dict[str, Any]
    signature: bytes

    @classmethod
    def parse(cls, token: str | bytes) -> Token:
        if isinstance(token, str):
            raw = token.encode("utf-8")
        elif isinstance(token, (bytes, bytearray)):
            raw = bytes(token)
        else:
            raise DecodeError("a token is text")
        segments = raw.split(b".")
        if len(segments) != 3:
            raise DecodeError(f"expected 3 segments, found {len(segments)}")
        try:
            texts = [segment.decode("ascii") for segment in segments]
        except UnicodeDecodeError:
            raise DecodeError("a token is ASCII") from None
        header = cls._object(_b64url_decode(texts[0]), "header")
        claims = cls._object(_b64url_decode(texts[1]), "payload")
        signature = _b64url_decode(texts[2])
        for name in ("exp", "nbf", "iat"):
            value = claims.get(name, 0)
            if type(value) is bool or not isinstance(value, (int, float)):
                raise DecodeError(f"{name} is not a number")
        return cls(segments[0] + b"." + segments[1], header, claims, signature)

    @staticmethod
    def _object(data: bytes, what: str) -> dict[str, Any]:
        try:
            value = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DecodeError(f"{what}: {exc}") from None
        if type(value) is not dict:
            raise DecodeError(f"the {what} must be a JSON object")
        return value


@dataclass
class ClaimsPolicy:
    now: float
    leeway: float = 0
    audience: frozenset[str] | None = None
    issuer: str | None = None
    require: tuple[str, ...] = field(default_factory=tuple)

    def check(self, claims: dict[str, Any]) -> None:
        self._time(claims)
        self._audience(claims)
        self._issuer(claims)
        missing = [name for name in self.require if name not in claims]
        if missing:
            raise MissingRequiredClaimError(f"required claims are missing: {missing}")

    def _time(self, claims: dict[str, Any]) -> None:
        if "exp" in claims and self.now >= claims["exp"] + self.leeway:
            raise ExpiredSignatureError("signature has expired")
        if "nbf" in claims and self.now < claims["nbf"] - self.leeway:
            raise ImmatureSignatureError("the token is not yet valid (nbf)")
        if "iat" in claims and claims["iat"] > self.now + self.leeway:
            raise ImmatureSignatureError("the token is not yet valid (iat)")

    def _audience(self, claims: dict[str, Any]) -> None:
        if "aud" not in claims:
            if self.audience is not None:
                raise MissingRequiredClaimError("the token has no aud claim")
            return
        if self.audience is None:
            raise InvalidAudienceError("the token names an audience; none was expected")
        aud = claims["aud"]
        values = (aud,) if isinstance(aud, str) else aud
        if not isinstance(values, (tuple, list)) or any(not isinstance(v, str) for v in values):
            raise InvalidAudienceError("aud is a string or a list of strings")
        if self.audience.isdisjoint(values):
            raise InvalidAudienceError("audience does not match")

    def _issuer(self, claims: dict[str, Any]) -> None:
        if self.issuer is None:
            return
        if "iss" not in claims:
            raise MissingRequiredClaimError("the token has no iss claim")
        if claims["iss"] != self.issuer:
            raise InvalidIssuerError("issuer does not match")


def encode(payload: Mapping[str, Any], key: Any, algorithm: str = "HS256",
           headers: Mapping[str, Any] | None = None) -> str:
    """Sign ``payload`` and return the compact token ``header.payload.signature``."""
    impl = REGISTRY.get(algorithm)
    if impl is None:
        raise InvalidAlgorithmError(f"cannot sign with {algorithm!r}")
    header = dict(headers or {})
    header.update(alg=algorithm, typ=header.get("typ", "JWT"))
    parts = [_b64url_encode(json.dumps(obj, separators=(",", ":"), sort_keys=True).encode())
             for obj in (header, dict(payload))]
    message = ".".join(parts).encode("ascii")
    return ".".join([*parts, _b64url_encode(impl.sign(message, key))])


def decode(token: str | bytes, key: Any, *, algorithms: Iterable[str],
           audience: str | Iterable[str] | None = None, issuer: str | None = None,
           leeway: float = 0, now: float | None = None,
           require: Iterable[str] = ()) -> dict[str, Any]:
    """Verify ``token`` with ``key`` and return its claims."""
    if algorithms is None:
        raise InvalidAlgorithmError("algorithms is required")
    accepted = frozenset([algorithms] if isinstance(algorithms, str) else algorithms)
    parsed = Token.parse(token)

    alg = parsed.header.get("alg")
    if alg is None or not isinstance(alg, str):
        raise InvalidAlgorithmError("the header does not name an algorithm")
    if alg.casefold() == "none":
        raise InvalidAlgorithmError("unsecured JWS (alg none) is never accepted")
    if alg not in accepted or alg not in REGISTRY:
        raise InvalidAlgorithmError(f"the algorithm {alg} is not allowed")
    if "crit" in parsed.header:
        raise DecodeError("unsupported critical header extensions")
    if not REGISTRY[alg].verify(parsed.signing_input, parsed.signature, key):
        raise InvalidSignatureError("signature verification failed")

    if audience is None:
        wanted = None
    elif isinstance(audience, str):
        wanted = frozenset([audience])
    else:
        wanted = frozenset(audience)
    if hasattr(leeway, "total_seconds"):
        leeway = leeway.total_seconds()
    policy = ClaimsPolicy(now=time.time() if now is None else now, leeway=leeway,
                          audience=wanted, issuer=issuer, require=tuple(require))
    policy.check(parsed.claims)
    return parsed.claims
