"""Examples of the JWT rules. Run them with: pytest katas/jwt-validation"""

import base64
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # find jwt_validation.py from any directory

from jwt_validation import (
    DecodeError,
    ExpiredSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidSignatureError,
    decode,
    encode,
)

# RFC 7515, Appendix A.1: an HS256 token and its key (a JWK "k", base64url).
RFC_KEY = base64.urlsafe_b64decode(
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow==")
RFC_TOKEN = ".".join((  # the published example token, not a secret
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9",
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ",
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))


def test_the_rfc_example_verifies_before_it_expires() -> None:
    claims = decode(RFC_TOKEN, RFC_KEY, algorithms=["HS256"], now=1300819379)
    assert claims == {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}
    with pytest.raises(ExpiredSignatureError):
        decode(RFC_TOKEN, RFC_KEY, algorithms=["HS256"], now=1300819380)


def test_round_trip_and_a_wrong_key() -> None:
    token = encode({"sub": "ada"}, b"secret")
    assert decode(token, b"secret", algorithms=["HS256"]) == {"sub": "ada"}
    with pytest.raises(InvalidSignatureError):
        decode(token, b"not the secret", algorithms=["HS256"])


def test_the_caller_chooses_the_algorithm() -> None:
    token = encode({"sub": "ada"}, b"secret", algorithm="HS512")
    with pytest.raises(InvalidAlgorithmError):
        decode(token, b"secret", algorithms=["HS256"])


def test_malformed_tokens() -> None:
    token = encode({"sub": "ada"}, b"secret")
    for bad in (token + "=", "only.two", token.replace(".", "+", 1)):
        with pytest.raises(DecodeError):
            decode(bad, b"secret", algorithms=["HS256"])


def test_audience() -> None:
    token = encode({"aud": ["billing", "search"]}, b"secret")
    assert decode(token, b"secret", algorithms=["HS256"], audience="search")
    with pytest.raises(InvalidAudienceError):
        decode(token, b"secret", algorithms=["HS256"], audience="email")
