"""Level 2: the caller, never the token, chooses the algorithm (RFC 8725 section 3.1)."""

from __future__ import annotations

import jwt_validation as subject
import pytest
from jwt_validation import InvalidAlgorithmError, InvalidTokenError

from grader.checks import Script
from grader.oracles.jwt_tokens import KEY, b64, expect_claims, token

pytestmark = pytest.mark.level(2)


def test_algorithms_has_no_default() -> None:
    """decode without algorithms, or with algorithms=None, refuses (TypeError or
    InvalidAlgorithmError: either is fine)"""
    s = Script()
    tok = token({"sub": "ada"})
    s.expect_raises((TypeError, InvalidAlgorithmError), "jwt", subject, "decode", tok, KEY)
    s.expect_raises((TypeError, InvalidAlgorithmError), "jwt", subject, "decode", tok, KEY,
                    algorithms=None)


@pytest.mark.parametrize("header", [
    {"typ": "JWT"}, {"alg": "none", "typ": "JWT"}, {"alg": "None"}, {"alg": "NONE"},
    {"alg": None}, {"alg": 256}, {"alg": ["HS256"]}, {"alg": ""}, {"alg": "HS256 "},
], ids=lambda h: repr(h.get("alg", "missing")))
def test_unusable_alg_is_refused(header: dict[str, object]) -> None:
    """a header alg that is missing, 'none' in any case, not a string, or not exactly one of
    the allowed names raises InvalidAlgorithmError, even with a valid HS256 MAC"""
    s = Script()
    tok = token({"sub": "ada"}, header=header)
    s.note(f"# the header is {header}, signed with HS256")
    s.expect_raises(InvalidAlgorithmError, "jwt", subject, "decode", tok, KEY,
                    algorithms=["HS256"])


def test_unsigned_tokens_are_refused_even_if_listed() -> None:
    """an alg 'none' token with an empty signature is refused even when the caller lists
    'none'"""
    s = Script()
    unsigned = b64(b'{"alg": "none"}') + "." + b64(b'{"admin": true}') + "."
    for algorithms in (["HS256"], ["none"], ["HS256", "none"]):
        s.expect_raises(InvalidAlgorithmError, "jwt", subject, "decode", unsigned, KEY,
                        algorithms=algorithms)


def test_an_algorithm_not_listed_is_refused() -> None:
    """an HS512 token is refused when only HS256 is allowed, accepted when HS512 is listed"""
    s = Script()
    tok = token({"sub": "ada"}, alg="HS512")
    s.expect_raises(InvalidAlgorithmError, "jwt", subject, "decode", tok, KEY,
                    algorithms=["HS256"])
    s.expect_raises(InvalidAlgorithmError, "jwt", subject, "decode", tok, KEY,
                    algorithms=["HS256", "HS384"])
    expect_claims(s, subject, tok, KEY, {"sub": "ada"}, algorithms=["HS256", "HS512"])


def test_a_crit_header_is_refused() -> None:
    """a header with crit (extensions the verifier must understand) is refused"""
    s = Script()
    tok = token({"sub": "ada"}, header={"alg": "HS256", "crit": ["exp"], "exp": 1})
    s.expect_raises(InvalidTokenError, "jwt", subject, "decode", tok, KEY, algorithms=["HS256"])


def test_extra_headers_are_fine() -> None:
    """unknown header fields such as kid and cty do not stop a valid token"""
    s = Script()
    tok = token({"sub": "ada"}, header={"alg": "HS256", "typ": "JWT", "kid": "2024", "cty": "x"})
    expect_claims(s, subject, tok, KEY, {"sub": "ada"})
