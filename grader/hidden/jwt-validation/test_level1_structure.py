"""Level 1: strict structure (three base64url segments, JSON objects without duplicate
members, numeric time claims) and HS256/384/512 signatures, with the published examples of
RFC 7515 Appendix A.1 and RFC 7519 section 3.1 accepted at an injected ``now``.

Tokens are built here byte by byte (``token()``), independently of the learner's
``encode``, so that each check controls exactly what the learner's ``decode`` receives."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import jwt_validation as subject
import pytest
from jwt_validation import DecodeError, InvalidSignatureError, InvalidTokenError, decode, encode

from grader.checks import Script, fail, same, show
from grader.oracles.jwt_tokens import HASHES, KEY, b64, expect_claims, token

pytestmark = pytest.mark.level(1)

# RFC 7515 Appendix A.1 (the same token is RFC 7519's example in section 3.1): the header and
# payload JSON contain CR LF and spaces, signed as they are.
RFC_KEY = base64.urlsafe_b64decode(
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow==")
RFC_TOKEN = ".".join((
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9",
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ",
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
RFC_CLAIMS = {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}


def _lenient(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def test_rfc_7515_example_is_accepted() -> None:
    """the RFC 7515 A.1 / RFC 7519 3.1 token verifies one second before it expires, CR LF and
    spaces in its JSON included"""
    s = Script()
    expect_claims(s, subject, RFC_TOKEN, RFC_KEY, RFC_CLAIMS, now=1300819379)


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_tokens_verify(alg: str) -> None:
    """a token signed here with this HMAC algorithm verifies, with the key as bytes or str"""
    s = Script()
    claims = {"sub": "ada", "admin": False, "n": 1.5, "list": [1, "two"], "nested": {"k": None}}
    tok = token(claims, alg=alg)
    expect_claims(s, subject, tok, KEY, claims, algorithms=[alg])
    expect_claims(s, subject, tok, KEY.decode(), claims, algorithms=[alg])


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_encode_makes_tokens_any_verifier_accepts(alg: str) -> None:
    """encode's token has a JSON header with alg and typ "JWT" (plus extra headers), the
    payload as JSON, and a signature an independent HMAC check accepts"""
    s = Script()
    claims = {"sub": "ada", "exp": 2_000_000_000}
    tok = s.call("jwt", subject, "encode", claims, KEY, alg, {"kid": "k1"})
    if not isinstance(tok, str) or tok.count(".") != 2:
        fail(f"encode returned {show(tok)}; expected a str of three dot-separated segments.", s)
    head, body, sig = tok.split(".")
    if any(part.endswith("=") or "+" in part or "/" in part for part in (head, body, sig)):
        fail(f"encode returned {tok!r}: segments are base64url without '=' padding.", s)
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        signature = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    except ValueError:
        fail(f"encode returned {tok!r}, whose segments are not base64url JSON.", s)
    if not (isinstance(header, dict) and same(header.get("alg"), alg)
            and same(header.get("typ"), "JWT") and same(header.get("kid"), "k1")):
        fail(f"encode's header is {show(header)}; expected alg {alg!r}, typ 'JWT' and the "
             "extra header kid 'k1'.", s)
    if not same(payload, claims):
        fail(f"encode's payload is {show(payload)}, expected {show(claims)}.", s)
    expected = hmac.new(KEY, f"{head}.{body}".encode(), HASHES[alg]).digest()
    if not hmac.compare_digest(expected, signature):
        fail(f"encode's {alg} signature does not match HMAC over 'header.payload' as sent.", s)


MALFORMED = {
    "two segments": lambda t: t.rsplit(".", 1)[0],
    "four segments": lambda t: t + ".",
    "an empty token": lambda t: "",
    "= padding on the signature": lambda t: t + "=",
    "'+' in a segment": lambda t: t.replace(".", ".+", 1),
    "'/' in a segment": lambda t: t.replace(".", "./", 1),
    "a space in a segment": lambda t: t[:5] + " " + t[5:],
    "a non-ASCII character": lambda t: t[:5] + "é" + t[5:],
    "a trailing newline": lambda t: t + "\n",
    "a leading space": lambda t: " " + t,
}


@pytest.mark.parametrize("how", list(MALFORMED))
def test_malformed_structure_is_a_decode_error(how: str) -> None:
    """tokens that are not three strict base64url segments raise DecodeError"""
    s = Script()
    bad = MALFORMED[how](token({"sub": "ada"}))
    s.expect_raises(DecodeError, "jwt", subject, "decode", bad, KEY, algorithms=["HS256"])


def test_padded_segments_are_refused_even_when_signed() -> None:
    """a payload segment with '=' padding is refused, even when the signature covers it"""
    s = Script()
    raw = json.dumps({"sub": "ada"}).encode()
    padded = base64.urlsafe_b64encode(raw).decode()
    if not padded.endswith("="):
        raw += b" "
        padded = base64.urlsafe_b64encode(raw).decode()
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    mac = hmac.new(KEY, f"{head}.{padded}".encode(), hashlib.sha256).digest()
    s.expect_raises(DecodeError, "jwt", subject, "decode", f"{head}.{padded}.{b64(mac)}", KEY,
                    algorithms=["HS256"])


JSON_PROBLEMS = {
    "a payload that is a JSON array": (None, b'["sub", "ada"]'),
    "a payload that is not JSON": (None, b"sub=ada"),
    "a payload that is a JSON string": (None, b'"ada"'),
    "a header that is not JSON": (b"alg=HS256", b'{"sub": "ada"}'),
    "duplicate member names in the payload": (None, b'{"sub": "ada", "sub": "root"}'),
    "duplicate member names in the header": (b'{"alg": "HS256", "alg": "HS256"}',
                                             b'{"sub": "ada"}'),
    "exp as a string": (None, b'{"exp": "2000000000"}'),
    "exp as a boolean": (None, b'{"exp": true}'),
    "nbf as a boolean": (None, b'{"nbf": false}'),
    "iat as a list": (None, b'{"iat": [1]}'),
}


@pytest.mark.parametrize("problem", list(JSON_PROBLEMS))
def test_json_problems_are_decode_errors(problem: str) -> None:
    """correctly signed tokens whose header or payload is not a JSON object, repeats a member
    name, or has a non-numeric time claim raise DecodeError"""
    s = Script()
    header, payload = JSON_PROBLEMS[problem]
    s.note(f"# {problem}, correctly signed")
    s.expect_raises(DecodeError, "jwt", subject, "decode", token(payload, header=header), KEY,
                    algorithms=["HS256"], now=1_000_000_000)


@pytest.mark.parametrize("segment", ["header", "payload", "signature"])
def test_one_changed_byte_in_any_segment_is_refused(segment: str) -> None:
    """a token that differs from a valid one by one character, at any position of any segment,
    is refused with an InvalidTokenError"""
    good = token({"sub": "ada", "role": "reader"})
    parts = good.split(".")
    index = ["header", "payload", "signature"].index(segment)
    for position in range(len(parts[index])):
        original = parts[index][position]
        for replacement in ("A", "B", "-"):
            if replacement == original:
                continue
            changed = list(parts)
            changed[index] = changed[index][:position] + replacement + changed[index][position + 1:]
            if _lenient(changed[index]) == _lenient(parts[index]):
                continue  # only the unused low bits of the last character changed
            bad = ".".join(changed)
            try:
                claims = decode(bad, KEY, algorithms=["HS256"])
            except InvalidTokenError:
                continue
            except Exception as exc:  # noqa: BLE001 - anything else is the learner's mistake
                fail(f"decode of a token with one character of its {segment} changed raised "
                     f"{type(exc).__name__}: {exc}; expected an InvalidTokenError subclass.\n"
                     f"token: {bad!r}")
            fail(f"decode accepted a token with one character of its {segment} changed "
                 f"(position {position}, {original!r} -> {replacement!r}) and returned "
                 f"{show(claims)}.\ntoken: {bad!r}")
            break


def test_a_shortened_signature_is_refused() -> None:
    """an empty or truncated signature segment is refused"""
    s = Script()
    head, body, sig = token({"sub": "ada"}).split(".")
    for short in ("", sig[:22], sig[:-4]):
        s.expect_raises(InvalidTokenError, "jwt", subject, "decode", f"{head}.{body}.{short}",
                        KEY, algorithms=["HS256"])


def test_a_wrong_key_is_an_invalid_signature() -> None:
    """the right token with another key raises InvalidSignatureError"""
    s = Script()
    tok = token({"sub": "ada"})
    s.expect_raises(InvalidSignatureError, "jwt", subject, "decode", tok, KEY + b"x",
                    algorithms=["HS256"])
    s.expect_raises(InvalidSignatureError, "jwt", subject, "decode", tok, b"",
                    algorithms=["HS256"])


def test_round_trip_through_both_functions() -> None:
    """decode(encode(claims)) gives the claims back, unicode included"""
    s = Script()
    claims = {"name": "Zoë 日本", "n": 3, "ok": True}
    tok = s.call("jwt", subject, "encode", claims, "text key")
    expect_claims(s, subject, tok, "text key", claims)
    _ = encode  # the module-level name must exist too
