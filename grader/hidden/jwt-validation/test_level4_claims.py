"""Level 4: who the token is for (aud), who issued it (iss), and the claims the caller
requires."""

from __future__ import annotations

from typing import Any

import jwt_validation as subject
import pytest
from jwt_validation import InvalidAudienceError, InvalidIssuerError, MissingRequiredClaimError

from grader.checks import Script, fail, same, show
from grader.oracles.jwt_tokens import KEY, token

pytestmark = pytest.mark.level(4)


def accepted(s: Script, claims: dict[str, Any], **kwargs: Any) -> None:
    got = s.call("jwt", subject, "decode", token(claims), KEY, algorithms=["HS256"], **kwargs)
    if not same(got, claims):
        fail(f"decode gave {show(got)}, expected the claims {show(claims)}.", s)


def refused(s: Script, error: type[Exception], claims: dict[str, Any], **kwargs: Any) -> None:
    s.expect_raises(error, "jwt", subject, "decode", token(claims), KEY, algorithms=["HS256"],
                    **kwargs)


def test_aud_as_a_string() -> None:
    """aud as a string must equal the audience given"""
    s = Script()
    accepted(s, {"aud": "billing"}, audience="billing")
    refused(s, InvalidAudienceError, {"aud": "billing"}, audience="search")
    refused(s, InvalidAudienceError, {"aud": "billing-admin"}, audience="billing")
    refused(s, InvalidAudienceError, {"aud": "bill"}, audience="billing")


def test_aud_as_a_list() -> None:
    """aud as a list must contain the audience given"""
    s = Script()
    accepted(s, {"aud": ["billing", "search"]}, audience="search")
    refused(s, InvalidAudienceError, {"aud": ["billing", "search"]}, audience="email")
    refused(s, InvalidAudienceError, {"aud": []}, audience="email")


def test_a_token_for_someone_must_name_its_audience() -> None:
    """a token with aud is refused when the caller gives no audience; an audience given
    but no aud claim is a missing claim"""
    s = Script()
    refused(s, InvalidAudienceError, {"aud": "billing"})
    refused(s, InvalidAudienceError, {"aud": ["billing"]})
    refused(s, MissingRequiredClaimError, {"sub": "ada"}, audience="billing")


def test_iss_only_when_asked() -> None:
    """iss is checked only when issuer is given: a mismatch is InvalidIssuerError, no iss a
    missing claim"""
    s = Script()
    accepted(s, {"iss": "anyone"})
    accepted(s, {"iss": "https://login.example"}, issuer="https://login.example")
    refused(s, InvalidIssuerError, {"iss": "https://evil.example"},
            issuer="https://login.example")
    refused(s, InvalidIssuerError, {"iss": "https://login.example.evil"},
            issuer="https://login.example")
    refused(s, MissingRequiredClaimError, {"sub": "ada"}, issuer="https://login.example")


def test_required_claims() -> None:
    """every name in require must be present, whatever its value"""
    s = Script()
    accepted(s, {"sub": "ada", "jti": None}, require=["sub", "jti"])
    refused(s, MissingRequiredClaimError, {"sub": "ada"}, require=["sub", "exp"])
    refused(s, MissingRequiredClaimError, {}, require=("sub",))


def test_everything_together() -> None:
    """aud, iss and required claims together on one valid token"""
    s = Script()
    claims = {"aud": ["api", "web"], "iss": "login", "sub": "ada", "exp": 2_000_000_000}
    accepted(s, claims, audience="web", issuer="login", require=["sub", "exp"],
             now=1_900_000_000)
