"""Tokens built byte by byte for the jwt-validation checks, independently of the learner's
``encode``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

KEY = b"a secret of thirty-two bytes!!!!"
HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


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
