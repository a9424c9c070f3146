"""Level 5: RS256 and ES256 through cryptography, with keys made here; ES256 signatures in
JOSE's raw r||s form; and the algorithm-confusion attack (RFC 8725 section 2.1) refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt_validation as subject
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from jwt_validation import InvalidKeyError, InvalidSignatureError, InvalidTokenError

from grader.checks import Script, fail
from grader.oracles.jwt_tokens import b64, expect_claims, signing_keys

pytestmark = pytest.mark.level(5)

RSA_KEY, EC_KEY, OTHER_EC_KEY = signing_keys()
CLAIMS = {"sub": "ada", "scope": "read"}


def pem_public(key: Any) -> bytes:
    return bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo))


def signed_here(alg: str, claims: dict[str, Any], *, der: bool = False) -> str:
    """A token signed with cryptography directly (ES256 as raw r||s unless ``der``)."""
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    data = f"{head}.{body}".encode()
    if alg == "RS256":
        signature = RSA_KEY.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        signature = EC_KEY.sign(data, ec.ECDSA(hashes.SHA256()))
        if not der:
            r, s = decode_dss_signature(signature)
            signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{head}.{body}.{b64(signature)}"


def segment(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_tokens_signed_here_verify(alg: str) -> None:
    """a token signed with cryptography verifies with the public key object, its PEM, and the
    private key object"""
    s = Script()
    key = RSA_KEY if alg == "RS256" else EC_KEY
    tok = signed_here(alg, CLAIMS)
    for verifier in (key.public_key(), pem_public(key), key):
        expect_claims(s, subject, tok, verifier, CLAIMS, algorithms=[alg])


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_encode_signs_what_cryptography_verifies(alg: str) -> None:
    """encode with a private key makes a signature cryptography verifies (ES256: 64 bytes,
    raw r||s)"""
    s = Script()
    key = RSA_KEY if alg == "RS256" else EC_KEY
    tok = s.call("jwt", subject, "encode", CLAIMS, key, alg)
    head, body, sig = tok.split(".")
    signature, data = segment(sig), f"{head}.{body}".encode()
    try:
        if alg == "RS256":
            key.public_key().verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            if len(signature) != 64:
                fail(f"encode's ES256 signature is {len(signature)} bytes; JOSE wants the raw "
                     "64-byte r||s (RFC 7518 3.4), not DER.", s)
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                       int.from_bytes(signature[32:], "big"))
            key.public_key().verify(der, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        fail(f"encode's {alg} signature does not verify with the public key.", s)


def test_a_der_es256_signature_is_refused() -> None:
    """an ES256 signature in DER form (not raw r||s) is not a valid JOSE signature"""
    s = Script()
    s.expect_raises(InvalidTokenError, "jwt", subject, "decode",
                    signed_here("ES256", CLAIMS, der=True), EC_KEY.public_key(),
                    algorithms=["ES256"])


def test_another_key_is_an_invalid_signature() -> None:
    """an ES256 token verified with another P-256 key, or a changed payload, is refused"""
    s = Script()
    tok = signed_here("ES256", CLAIMS)
    s.expect_raises(InvalidSignatureError, "jwt", subject, "decode", tok,
                    OTHER_EC_KEY.public_key(), algorithms=["ES256"])
    head, _, sig = tok.split(".")
    forged = f"{head}.{b64(json.dumps({'sub': 'root'}).encode())}.{sig}"
    s.expect_raises(InvalidSignatureError, "jwt", subject, "decode", forged,
                    EC_KEY.public_key(), algorithms=["ES256"])


def test_es256_means_p256() -> None:
    """ES256 is ECDSA on P-256: a token signed with a P-384 key and verified with that key is
    refused"""
    s = Script()
    p384 = ec.generate_private_key(ec.SECP384R1())
    head = b64(json.dumps({"alg": "ES256", "typ": "JWT"}).encode())
    body = b64(json.dumps(CLAIMS).encode())
    r, sig_s = decode_dss_signature(p384.sign(f"{head}.{body}".encode(),
                                              ec.ECDSA(hashes.SHA256())))
    raw = r.to_bytes(48, "big") + sig_s.to_bytes(48, "big")
    s.note("# ES256 header, signed with a P-384 key")
    s.expect_raises(InvalidTokenError, "jwt", subject, "decode", f"{head}.{body}.{b64(raw)}",
                    p384.public_key(), algorithms=["ES256"])


def test_algorithm_confusion_is_refused() -> None:
    """an HS256 token whose MAC key is the server's RSA public key (PEM) is refused when the
    server passes that PEM, even if it allows both algorithms"""
    s = Script()
    pem = pem_public(RSA_KEY)
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": "root", "admin": True}).encode())
    mac = hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    forged = f"{head}.{body}.{b64(mac)}"
    s.note("# HS256 signed with the RSA public key's PEM bytes")
    s.expect_raises(InvalidKeyError, "jwt", subject, "decode", forged, pem,
                    algorithms=["RS256", "HS256"])
    s.expect_raises(InvalidKeyError, "jwt", subject, "decode", forged, pem.decode(),
                    algorithms=["HS256"])


@pytest.mark.parametrize("key", [
    b"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 user@host",
    b"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY= user@host",
    b"-----BEGIN RSA PUBLIC KEY-----\nMIIBCgKCAQEA\n-----END RSA PUBLIC KEY-----\n",
], ids=["ssh-rsa", "ecdsa-sha2", "PEM RSA"])
def test_hmac_keys_that_look_asymmetric_are_refused(key: bytes) -> None:
    """an HMAC secret that is an OpenSSH public-key line or PEM text raises InvalidKeyError"""
    s = Script()
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": "root"}).encode())
    mac = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    s.expect_raises(InvalidKeyError, "jwt", subject, "decode", f"{head}.{body}.{b64(mac)}",
                    key, algorithms=["HS256"])
