"""Level 3: exp, nbf and iat against an injected ``now``, exactly at their boundaries, with
and without leeway; the signature is checked before any of them."""

from __future__ import annotations

import time

import jwt_validation as subject
import pytest
from jwt_validation import ExpiredSignatureError, ImmatureSignatureError, InvalidSignatureError

from grader.checks import Script
from grader.oracles.jwt_tokens import KEY, accepted, refused, token

pytestmark = pytest.mark.level(3)

T = 1_700_000_000  # an exact float, as are every half second around it


@pytest.mark.parametrize("leeway", [0, 10, 2.5])
def test_exp_boundary(leeway: float) -> None:
    """valid while now < exp + leeway; expired from exp + leeway on"""
    s = Script()
    claims = {"exp": T}
    accepted(s, subject, claims, now=T + leeway - 0.5, leeway=leeway)
    refused(s, subject, ExpiredSignatureError, claims, now=T + leeway, leeway=leeway)
    refused(s, subject, ExpiredSignatureError, claims, now=T + leeway + 100, leeway=leeway)


@pytest.mark.parametrize("leeway", [0, 10, 2.5])
def test_nbf_boundary(leeway: float) -> None:
    """valid from nbf - leeway on; immature before it"""
    s = Script()
    claims = {"nbf": T}
    accepted(s, subject, claims, now=T - leeway, leeway=leeway)
    accepted(s, subject, claims, now=T + 1000, leeway=leeway)
    refused(s, subject, ImmatureSignatureError, claims, now=T - leeway - 0.5, leeway=leeway)


@pytest.mark.parametrize("leeway", [0, 10, 2.5])
def test_iat_boundary(leeway: float) -> None:
    """iat may be up to leeway in the future; later than that is immature"""
    s = Script()
    claims = {"iat": T}
    accepted(s, subject, claims, now=T - leeway, leeway=leeway)
    accepted(s, subject, claims, now=T + 1000, leeway=leeway)
    refused(s, subject, ImmatureSignatureError, claims, now=T - leeway - 0.5, leeway=leeway)


def test_a_window_of_nbf_and_exp() -> None:
    """nbf and exp together: immature before, valid inside, expired after"""
    s = Script()
    claims = {"nbf": T, "exp": T + 60, "iat": T}
    refused(s, subject, ImmatureSignatureError, claims, now=T - 0.5)
    accepted(s, subject, claims, now=T)
    accepted(s, subject, claims, now=T + 59.5)
    refused(s, subject, ExpiredSignatureError, claims, now=T + 60)


def test_float_claims_and_now() -> None:
    """time claims and now may have fractions of a second"""
    s = Script()
    claims = {"exp": T + 0.75}
    accepted(s, subject, claims, now=T + 0.5)
    refused(s, subject, ExpiredSignatureError, claims, now=T + 0.75)


def test_now_defaults_to_the_current_time() -> None:
    """without now, the current time decides"""
    s = Script()
    accepted(s, subject, {"exp": int(time.time()) + 3600})
    refused(s, subject, ExpiredSignatureError, {"exp": int(time.time()) - 3600})
    refused(s, subject, ImmatureSignatureError, {"nbf": int(time.time()) + 3600})


def test_the_signature_is_checked_before_the_claims() -> None:
    """an expired (or immature) token with a bad signature is an InvalidSignatureError"""
    s = Script()
    for claims in ({"exp": T - 100}, {"nbf": T + 100}, {"iat": T + 100}):
        bad = token(claims, key=KEY + b"!")
        s.note(f"# {claims}, signed with another key")
        s.expect_raises(InvalidSignatureError, "jwt", subject, "decode", bad, KEY,
                        algorithms=["HS256"], now=T)
