"""JSON Web Token validation: your implementation goes here.

Read README.md in this folder first. Run `grade jwt-validation` to see how far you are.
Use only the standard library (hmac, hashlib, json, base64) and `cryptography` for RS256 and
ES256: no JWT library.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


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


def encode(payload: Mapping[str, Any], key: Any, algorithm: str = "HS256",
           headers: Mapping[str, Any] | None = None) -> str:
    """Sign ``payload`` and return the compact token ``header.payload.signature``.

    The header is ``{"alg": algorithm, "typ": "JWT"}`` plus ``headers``; JSON is compact (no
    spaces). ``algorithm`` is one of HS256, HS384, HS512 (``key``: bytes or str), RS256 or
    ES256 (``key``: a cryptography private key object, or PEM bytes).
    """
    raise NotImplementedError


def decode(token: str | bytes, key: Any, *, algorithms: Iterable[str],
           audience: str | Iterable[str] | None = None, issuer: str | None = None,
           leeway: float = 0, now: float | None = None,
           require: Iterable[str] = ()) -> dict[str, Any]:
    """Verify ``token`` with ``key`` and return its claims.

    ``algorithms`` (required) lists the algorithms you accept. ``now`` is a Unix time
    (default: the current time); ``leeway`` widens every time check by that many seconds.
    Raise a subclass of :class:`InvalidTokenError` for anything wrong: README.md lists which.
    """
    raise NotImplementedError
