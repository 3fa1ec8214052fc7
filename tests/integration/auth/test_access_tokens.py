"""Access tokens over HTTP (J1-J5): only our own HS256 access tokens, checked claim by claim."""

import base64
import hashlib
import hmac
import json
import secrets
from datetime import timedelta

import jwt
import pytest

from adapters.tokens.jwt_tokens import LEEWAY
from tests.fixtures.auth import TEST_PUBLIC_URL

pytestmark = pytest.mark.integration


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _raw_token(header: dict, claims: dict, key: bytes | None) -> str:
    """A JWT assembled by hand, so tests can make tokens a well-behaved library refuses to make."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    if key is None:
        return signing_input + "."
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


@pytest.fixture
def secret(api_settings_env) -> str:
    return api_settings_env["JWT_SECRET"]


def _claims(api, user, **changes) -> dict:
    now = int(api.clock.now().timestamp())
    claims = {
        "sub": str(user.user.id),
        "sid": str(user.session_id),
        "jti": secrets.token_hex(16),
        "iat": now,
        "exp": now + 900,
        "iss": TEST_PUBLIC_URL,
        "aud": "nostr-id:access",
        "typ": "access",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def _token(secret: str, claims: dict, *, algorithm: str = "HS256", headers: dict | None = None) -> str:
    return jwt.encode(claims, secret, algorithm=algorithm, headers={"typ": "at+jwt", **(headers or {})})


async def _me(api, token: str):
    return await api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


async def test_a_token_made_by_the_test_the_way_the_service_makes_it_is_accepted(api, secret):
    alice = await api.sign_in()

    assert (await _me(api, _token(secret, _claims(api, alice)))).status_code == 200


async def test_j1_alg_none_is_refused(api):
    alice = await api.sign_in()

    for alg in ("none", "None", "NONE"):
        token = _raw_token({"alg": alg, "typ": "at+jwt"}, _claims(api, alice), key=None)
        response = await _me(api, token)
        assert response.status_code == 401
        assert "www-authenticate" in response.headers


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
async def test_j1_an_algorithm_outside_the_allow_list_is_refused_even_with_the_right_secret(
    api, secret, algorithm
):
    alice = await api.sign_in()

    response = await _me(api, _token(secret, _claims(api, alice), algorithm=algorithm))

    assert response.status_code == 401
    assert "algorithm" in response.json()["detail"]


async def test_j2_hs256_signed_with_a_public_key_or_a_jwk_as_the_secret_is_refused(api):
    alice = await api.sign_in()
    public_keys = [
        alice.pubkey.encode(),  # the user's own Nostr public key
        b"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n",
        json.dumps({"kty": "oct", "k": _b64(alice.pubkey.encode())}).encode(),
    ]
    for key in public_keys:
        token = _raw_token({"alg": "HS256", "typ": "at+jwt"}, _claims(api, alice), key=key)
        response = await _me(api, token)
        assert response.status_code == 401
        assert "bad signature" in response.json()["detail"]


async def test_j3_a_token_expires_at_exp_plus_the_small_explicit_leeway(api):
    alice = await api.sign_in()
    assert LEEWAY.total_seconds() == 5

    api.clock.advance(timedelta(seconds=900) + LEEWAY - timedelta(seconds=1))
    assert (await _me(api, alice.access_token)).status_code == 200
    api.clock.advance(timedelta(seconds=1))
    response = await _me(api, alice.access_token)

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_j3_a_token_without_exp_is_refused(api, secret):
    alice = await api.sign_in()

    response = await _me(api, _token(secret, _claims(api, alice, exp=None)))

    assert response.status_code == 401
    assert "missing claim exp" in response.json()["detail"]


async def test_j3_a_future_nbf_or_iat_is_refused_beyond_the_leeway(api, secret):
    alice = await api.sign_in()
    now = int(api.clock.now().timestamp())

    assert (await _me(api, _token(secret, _claims(api, alice, nbf=now + 5)))).status_code == 200
    not_yet = await _me(api, _token(secret, _claims(api, alice, nbf=now + 6)))
    assert not_yet.status_code == 401
    assert "not valid yet" in not_yet.json()["detail"]
    future = await _me(api, _token(secret, _claims(api, alice, iat=now + 6)))
    assert future.status_code == 401


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"aud": "nostr-id:refresh"}, "wrong audience"),
        ({"aud": None}, "missing claim aud"),
        ({"iss": "https://elsewhere.example"}, "wrong issuer"),
        ({"iss": None}, "missing claim iss"),
        ({"sid": None}, "missing claim sid"),
        ({"sub": None}, "missing claim sub"),
        ({"jti": None}, "missing claim jti"),
        ({"iat": None}, "missing claim iat"),
    ],
)
async def test_j4_a_wrong_or_missing_audience_issuer_or_claim_is_refused(api, secret, change, reason):
    alice = await api.sign_in()

    response = await _me(api, _token(secret, _claims(api, alice, **change)))

    assert response.status_code == 401
    assert reason in response.json()["detail"]


async def test_j4_an_unknown_crit_header_is_refused(api, secret):
    alice = await api.sign_in()
    token = _raw_token(
        {"alg": "HS256", "typ": "at+jwt", "crit": ["exp-x"], "exp-x": 1}, _claims(api, alice), secret.encode()
    )

    response = await _me(api, token)

    assert response.status_code == 401
    assert "critical" in response.json()["detail"]


async def test_j5_a_refresh_token_is_not_an_access_token(api, secret):
    alice = await api.sign_in()

    opaque = await _me(api, alice.refresh_token)
    typed = await _me(api, _token(secret, _claims(api, alice, typ="refresh")))
    other_header = await _me(api, _token(secret, _claims(api, alice), headers={"typ": "JWT"}))

    for response in (opaque, typed, other_header):
        assert response.status_code == 401


async def test_a_token_of_another_users_session_is_refused(api, secret):
    alice, bob = await api.sign_in(), await api.sign_in()

    response = await _me(api, _token(secret, _claims(api, alice, sid=str(bob.session_id))))

    assert response.status_code == 401
    assert "session has ended" in response.json()["detail"]
