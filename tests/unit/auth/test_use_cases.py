"""Sign-in, refresh and Authenticate as use cases, on the memory unit of work and memory cache."""

import asyncio
import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import msgspec
import pytest

from adapters.cache.memory_cache import MemoryCache
from adapters.tokens.jwt_tokens import JwtAccessTokens
from application.auth.auth_verdicts import AuthVerdicts
from application.auth.authenticate import Authenticate, Credentials
from application.auth.session_admin import Origin, RefreshReused, RefreshSession
from application.auth.sign_in import IssueChallenge, Login, SignInRequest
from application.verdicts import Verdicts
from domain.auth.principal import CredentialKind
from domain.clock import FixedClock
from domain.errors import Unauthorized
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from domain.ports.auth import ApiKeyGrant
from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore

URL = "https://id.example"


class GrantingApiKeys:
    """An ApiKeyVerifier that knows one key."""

    def __init__(self, key: str, grant: ApiKeyGrant) -> None:
        self._key, self._grant = key, grant

    async def verify(self, presented_key: str) -> ApiKeyGrant:
        if presented_key != self._key:
            raise Unauthorized("unknown API key")
        return self._grant


@dataclass
class World:
    store: MemoryStore
    clock: FixedClock
    login: Login
    challenges: IssueChallenge
    refresh: RefreshSession
    authenticate: Authenticate

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    async def sign_in(self, secret: str):
        challenge = await self.challenges()
        event = sign_event(
            secret,
            kind=22242,
            tags=[["relay", URL], ["challenge", challenge.challenge]],
            content="",
            created_at=int(self.clock.now().timestamp()),
        )
        return await self.login(SignInRequest(event=event))


def _world(api_keys=None) -> World:
    store = MemoryStore()
    clock = FixedClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))

    def uow() -> FakeUnitOfWork:
        return FakeUnitOfWork(store)

    cache = MemoryCache(clock)
    verdicts = AuthVerdicts(Verdicts(cache), uow, clock)
    tokens = JwtAccessTokens(secrets.token_hex(32), issuer=URL)
    keys = api_keys or GrantingApiKeys(
        "none", ApiKeyGrant(api_key_id=uuid4(), user_id=uuid4(), scopes=frozenset())
    )
    return World(
        store=store,
        clock=clock,
        login=Login(unit_of_work=uow, tokens=tokens, verdicts=verdicts, clock=clock, public_url=URL),
        challenges=IssueChallenge(uow, clock),
        refresh=RefreshSession(uow, tokens, verdicts, clock),
        authenticate=Authenticate(
            tokens=tokens, api_keys=keys, verdicts=verdicts, cache=cache, unit_of_work=uow, clock=clock
        ),
    )


def _bearer(token: str) -> Credentials:
    return Credentials(method="GET", url=f"{URL}/api/v1/me", authorization=f"Bearer {token}")


async def test_a_signed_in_users_bearer_token_names_the_user_and_session():
    world = _world()
    signed_in = await world.sign_in(generate_secret_key())

    principal = await world.authenticate(_bearer(signed_in.access_token))

    assert principal is not None
    assert (principal.user_id, principal.session_id) == (signed_in.user.id, signed_in.session_id)
    assert principal.credential is CredentialKind.BEARER


async def test_no_credential_is_anonymous_and_two_credentials_are_refused():
    world = _world()
    assert await world.authenticate(Credentials(method="GET", url=URL)) is None
    with pytest.raises(Unauthorized, match="one credential"):
        await world.authenticate(Credentials(method="GET", url=URL, authorization="Bearer x", api_key="k"))


async def test_an_api_key_acts_for_its_owner_with_its_scopes_only():
    world = _world()
    signed_in = await world.sign_in(generate_secret_key())
    grant = ApiKeyGrant(api_key_id=uuid4(), user_id=signed_in.user.id, scopes=frozenset({"wot:read"}))
    world.authenticate._api_keys = GrantingApiKeys("nid_key", grant)

    principal = await world.authenticate(Credentials(method="GET", url=URL, api_key="nid_key"))

    assert principal is not None and principal.is_machine
    assert principal.user_id == signed_in.user.id
    assert principal.session_id is None and principal.api_key_id == grant.api_key_id
    assert principal.scopes == frozenset({"wot:read"})
    with pytest.raises(Unauthorized):
        await world.authenticate(Credentials(method="GET", url=URL, api_key="other"))


async def test_concurrent_nip98_requests_of_a_new_pubkey_make_exactly_one_account():
    world = _world()
    secret = generate_secret_key()
    now = int(world.clock.now().timestamp())

    def header(offset: int) -> str:
        event = sign_event(
            secret,
            kind=27235,
            tags=[["u", URL + "/x"], ["method", "GET"]],
            content="",
            created_at=now - offset,
        )
        return "Nostr " + base64.b64encode(msgspec.json.encode(event)).decode()

    principals = await asyncio.gather(
        *(
            world.authenticate(Credentials(method="GET", url=URL + "/x", authorization=header(i)))
            for i in range(5)
        )
    )

    assert len({p.user_id for p in principals}) == 1
    async with world.uow() as uow:
        user = await uow.users.get_by_pubkey(public_key_of(secret))
    assert user is not None and user.id == principals[0].user_id


async def test_refresh_rotates_then_reuse_revokes_the_family():
    world = _world()
    signed_in = await world.sign_in(generate_secret_key())

    rotated = await world.refresh(signed_in.refresh_token, Origin())
    with pytest.raises(RefreshReused):
        await world.refresh(signed_in.refresh_token, Origin())

    with pytest.raises(Unauthorized):
        await world.refresh(rotated.refresh_token, Origin())
    with pytest.raises(Unauthorized, match="session has ended"):
        await world.authenticate(_bearer(rotated.access_token))


async def test_the_session_verdict_follows_the_session_expiry_on_the_clock():
    world = _world()
    signed_in = await world.sign_in(generate_secret_key())
    world.clock.advance(timedelta(days=30) - timedelta(minutes=10))
    refreshed = await world.refresh(signed_in.refresh_token, Origin())

    world.clock.advance(timedelta(minutes=10))

    # The refreshed session lives on past the first refresh token's 30 days.
    assert await world.authenticate(_bearer(refreshed.access_token)) is not None
