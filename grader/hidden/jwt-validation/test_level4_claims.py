"""Level 4: who the token is for (aud), who issued it (iss), and the claims the caller
requires."""

from __future__ import annotations

import jwt_validation as subject
import pytest
from jwt_validation import InvalidAudienceError, InvalidIssuerError, MissingRequiredClaimError

from grader.checks import Script
from grader.oracles.jwt_tokens import accepted, refused

pytestmark = pytest.mark.level(4)


def test_aud_as_a_string() -> None:
    """aud as a string must equal the audience given"""
    s = Script()
    accepted(s, subject, {"aud": "billing"}, audience="billing")
    refused(s, subject, InvalidAudienceError, {"aud": "billing"}, audience="search")
    refused(s, subject, InvalidAudienceError, {"aud": "billing-admin"}, audience="billing")
    refused(s, subject, InvalidAudienceError, {"aud": "bill"}, audience="billing")


def test_aud_as_a_list() -> None:
    """aud as a list must contain the audience given"""
    s = Script()
    accepted(s, subject, {"aud": ["billing", "search"]}, audience="search")
    refused(s, subject, InvalidAudienceError, {"aud": ["billing", "search"]}, audience="email")
    refused(s, subject, InvalidAudienceError, {"aud": []}, audience="email")


def test_a_token_for_someone_must_name_its_audience() -> None:
    """a token with aud is refused when the caller gives no audience; an audience given
    but no aud claim is a missing claim"""
    s = Script()
    refused(s, subject, InvalidAudienceError, {"aud": "billing"})
    refused(s, subject, InvalidAudienceError, {"aud": ["billing"]})
    refused(s, subject, MissingRequiredClaimError, {"sub": "ada"}, audience="billing")


def test_iss_only_when_asked() -> None:
    """iss is checked only when issuer is given: a mismatch is InvalidIssuerError, no iss a
    missing claim"""
    s = Script()
    accepted(s, subject, {"iss": "anyone"})
    accepted(s, subject, {"iss": "https://login.example"}, issuer="https://login.example")
    refused(s, subject, InvalidIssuerError, {"iss": "https://evil.example"},
            issuer="https://login.example")
    refused(s, subject, InvalidIssuerError, {"iss": "https://login.example.evil"},
            issuer="https://login.example")
    refused(s, subject, MissingRequiredClaimError, {"sub": "ada"}, issuer="https://login.example")


def test_required_claims() -> None:
    """every name in require must be present, whatever its value"""
    s = Script()
    accepted(s, subject, {"sub": "ada", "jti": None}, require=["sub", "jti"])
    refused(s, subject, MissingRequiredClaimError, {"sub": "ada"}, require=["sub", "exp"])
    refused(s, subject, MissingRequiredClaimError, {}, require=("sub",))


def test_everything_together() -> None:
    """aud, iss and required claims together on one valid token"""
    s = Script()
    claims = {"aud": ["api", "web"], "iss": "login", "sub": "ada", "exp": 2_000_000_000}
    accepted(s, subject, claims, audience="web", issuer="login", require=["sub", "exp"],
             now=1_900_000_000)
