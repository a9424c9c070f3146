"""jwt-validation: the reference ``decode``/``encode`` against PyJWT and joserfc.

All three are Python around the same C: HMAC from the standard library's ``hmac`` (OpenSSL)
and RSA / ECDSA from ``cryptography``. What differs, and what this measures, is the Python
work around the signature: parsing, base64, JSON, the algorithm policy and the claim checks.
RS256 and ES256 rows are dominated by the C signature check, so their ratios sit near 1.

Every decode checks the signature, ``exp``, ``aud`` and ``iss`` (joserfc through its
``JWTClaimsRegistry``). Tokens are made once, outside the timing, by the reference's
``encode``; expiry is relative to the real clock (PyJWT cannot be given another), an hour
either side of now. Results are the claims, or the kind of error raised.

- ``mixed``: decodes of HS256 (80 %), RS256 (10 %) and ES256 (10 %) tokens, of which one
  in five is expired, badly signed, for another audience or from another issuer;
- ``HS256``, ``RS256``, ``ES256``: valid tokens of one algorithm only;
- ``encode``: HS256 tokens from claims (compared by decoding them, untimed).
"""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Callable
from typing import Any

from benchmarks.harness import Contender, KataBench, Setup, Workload, load_solution

SECRET = b"a 256-bit secret shared by the two services!"
AUDIENCE = "orders-api"
ISSUER = "https://auth.example.com"
ERRORS = {  # error class names, in each library, to the kind of failure
    "ExpiredSignatureError": "expired", "ExpiredTokenError": "expired",
    "InvalidSignatureError": "signature", "BadSignatureError": "signature",
    "InvalidAudienceError": "audience", "InvalidIssuerError": "issuer",
}


def _keys() -> dict[str, tuple[Any, Any, Any]]:
    """algorithm -> (signing key, verifying key, another signing key: the wrong one), as PEM
    bytes for the asymmetric ones."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    def pem(private: Any) -> tuple[bytes, bytes]:
        return (private.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()),
                private.public_key().public_bytes(
                    serialization.Encoding.PEM,
                    serialization.PublicFormat.SubjectPublicKeyInfo))

    def rsa_key() -> Any:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    rs256, es256 = pem(rsa_key()), pem(ec.generate_private_key(ec.SECP256R1()))
    return {"HS256": (SECRET, SECRET, b"not the secret the services share!"),
            "RS256": (*rs256, pem(rsa_key())[0]),
            "ES256": (*es256, pem(ec.generate_private_key(ec.SECP256R1()))[0])}


def _kind(error: Exception) -> str:
    """The kind of failure, whatever the library calls it (joserfc has one error for any
    claim with a wrong value, and names the claim)."""
    name = type(error).__name__
    if name == "InvalidClaimError":
        claim = getattr(error, "claim", "")
        return {"aud": "audience", "iss": "issuer"}.get(claim, repr(error))
    return ERRORS.get(name, repr(error))


Case = tuple[str, str]  # (algorithm, token)


def _claims(rng: random.Random, now: int, flaw: str) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": f"user-{rng.randrange(10**6)}", "iat": now - 60, "exp": now + 3600,
        "aud": AUDIENCE, "iss": ISSUER, "scope": rng.choice(["read", "read write", "admin"]),
    }
    if flaw == "expired":
        claims["iat"], claims["exp"] = now - 7200, now - 3600
    elif flaw == "audience":
        claims["aud"] = "billing-api"
    elif flaw == "issuer":
        claims["iss"] = "https://evil.example.com"
    return claims


def _cases(rng: random.Random, solution: Any, keys: dict[str, tuple[Any, Any, Any]], count: int, *,
           algorithms: tuple[str, ...], weights: tuple[int, ...], flawed: float) -> list[Case]:
    now = int(time.time())
    cases = []
    for algorithm in rng.choices(algorithms, weights, k=count):
        flaw = rng.choice(["expired", "signature", "audience", "issuer"]) \
            if rng.random() < flawed else ""
        signing = keys[algorithm][2 if flaw == "signature" else 0]
        token = solution.encode(_claims(rng, now, flaw), signing, algorithm)
        cases.append((algorithm, token))
    return cases


Decoder = Callable[[str, str], dict[str, Any]]


def _decodes(make: Callable[[], Decoder], cases: list[Case]) -> Setup:
    def setup() -> Callable[[], object]:
        decode = make()

        def replay() -> object:
            results: list[object] = []
            for algorithm, token in cases:
                try:
                    results.append(decode(algorithm, token))
                except Exception as error:  # noqa: BLE001 (each library has its own base)
                    results.append(_kind(error))
            return results

        return replay

    return setup


def _encodes(encode: Callable[[dict[str, Any]], str], payloads: list[dict[str, Any]]) -> Setup:
    def setup() -> Callable[[], object]:
        def replay() -> object:
            return [encode(payload) for payload in payloads]

        return replay

    return setup


def build(*, quick: bool = False, ops: int | None = None) -> KataBench:
    """The jwt-validation benchmark; ``quick`` shortens the traces."""
    n = ops or (1_000 if quick else 8_000)
    rng = random.Random(5)
    solution = load_solution("jwt-validation", "jwt_validation")
    keys = _keys()
    traces = {
        "mixed": _cases(rng, solution, keys, n, algorithms=("HS256", "RS256", "ES256"),
                        weights=(8, 1, 1), flawed=0.2),
        "HS256": _cases(rng, solution, keys, n, algorithms=("HS256",), weights=(1,),
                         flawed=0),
        "RS256": _cases(rng, solution, keys, n // 10, algorithms=("RS256",), weights=(1,),
                         flawed=0),
        "ES256": _cases(rng, solution, keys, n // 10, algorithms=("ES256",), weights=(1,),
                         flawed=0),
    }
    now = int(time.time())
    payloads = [_claims(rng, now, "") for _ in range(n)]

    def canonical(tokens: object) -> object:
        assert isinstance(tokens, list)
        return [solution.decode(token, SECRET, algorithms=["HS256"], audience=AUDIENCE)
                for token in tokens]

    workloads = [
        Workload("mixed", n, "HS256 / RS256 / ES256 decodes 8:1:1, one in five invalid"),
        Workload("HS256", n, "valid HS256 tokens"),
        Workload("RS256", n // 10, "valid RS256 tokens"),
        Workload("ES256", n // 10, "valid ES256 tokens"),
        Workload("encode", n, "HS256 tokens from claims", canonical),
    ]

    def contender(name: str, kind: Any, make: Callable[[], Decoder],
                  encode: Callable[[dict[str, Any]], str]) -> Contender:
        setups = {w: _decodes(make, cases) for w, cases in traces.items()}
        setups["encode"] = _encodes(encode, payloads)
        return Contender(name, kind, setups)

    def reference() -> Decoder:
        decode = solution.decode

        def run(algorithm: str, token: str) -> dict[str, Any]:
            return decode(token, keys[algorithm][1], algorithms=[algorithm],  # type: ignore[no-any-return]
                          audience=AUDIENCE, issuer=ISSUER)

        return run

    contenders = [contender("reference", "reference", reference,
                            lambda payload: solution.encode(payload, SECRET))]
    skipped: dict[str, str] = {}
    for name, make in (("PyJWT", _pyjwt), ("joserfc", _joserfc)):
        try:
            decoder, encoder = make(keys)
        except ImportError as error:
            skipped[name] = str(error)
        else:
            contenders.append(contender(name, "python", decoder, encoder))
    return KataBench("jwt-validation", workloads, contenders, skipped,
                     "All three check signatures with the same C code (hmac, cryptography).")


def _pyjwt(keys: dict[str, tuple[Any, Any, Any]]) -> tuple[Callable[[], Decoder],
                                                      Callable[[dict[str, Any]], str]]:
    jwt = importlib.import_module("jwt")
    # PyJWT takes PEM bytes as they are; load them once, as a service would.
    verifying = {alg: (key if alg == "HS256" else jwt.algorithms.get_default_algorithms()[
        alg].prepare_key(key)) for alg, (_, key, _) in keys.items()}

    def make() -> Decoder:
        decode = jwt.decode

        def run(algorithm: str, token: str) -> dict[str, Any]:
            return decode(token, verifying[algorithm], algorithms=[algorithm],  # type: ignore[no-any-return]
                          audience=AUDIENCE, issuer=ISSUER)

        return run

    return make, lambda payload: jwt.encode(payload, SECRET, algorithm="HS256")


def _joserfc(keys: dict[str, tuple[Any, Any, Any]]) -> tuple[Callable[[], Decoder],
                                                        Callable[[dict[str, Any]], str]]:
    jwt = importlib.import_module("joserfc.jwt")
    jwk = importlib.import_module("joserfc.jwk")
    verifying = {"HS256": jwk.OctKey.import_key(SECRET),
                 "RS256": jwk.RSAKey.import_key(keys["RS256"][1]),
                 "ES256": jwk.ECKey.import_key(keys["ES256"][1])}
    registry = jwt.JWTClaimsRegistry(exp={"essential": True},
                                     aud={"essential": True, "value": AUDIENCE},
                                     iss={"essential": True, "value": ISSUER})

    def make() -> Decoder:
        decode, validate = jwt.decode, registry.validate

        def run(algorithm: str, token: str) -> dict[str, Any]:
            claims = decode(token, verifying[algorithm], algorithms=[algorithm]).claims
            validate(claims)
            return claims  # type: ignore[no-any-return]

        return run

    header = {"alg": "HS256"}
    return make, lambda payload: jwt.encode(header, payload, verifying["HS256"])
