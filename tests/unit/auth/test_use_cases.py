"""Sign-in, refresh and Authenticate as use cases from the container, on the memory unit of work and
the memory cache."""

import asyncio
import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import msgspec
import pytest
from dependency_injector import providers

from application.auth.authenticate import Authenticate, Credentials
from application.auth.own_sessions import RefreshReused, RefreshSession
from application.auth.sign_in import Login, SignInRequest
from bootstrap.container import Container
from domain.audit.entries import NO_ORIGIN
from domain.auth.ports import ApiKeyGrant
from domain.auth.principal import CredentialKind
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from domain.shared.clock import FixedClock
from domain.shared.errors import Unauthorized
from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore
from tests.support.app import container_for_tests, settings_for_tests

URL = "https://id.example"


class GrantingApiKeys:
    """An ApiKeyVerifier that knows the keys it is given."""

    def __init__(self) -> None:
        self.known: dict[str, ApiKeyGrant] = {}

    async def verify(self, presented_key: str) -> ApiKeyGrant:
        if presented_key not in self.known:
            raise Unauthorized("unknown API key")
        return self.known[presented_key]

    async def verify_held(self, presented_key: str) -> ApiKeyGrant:
        return await self.verify(presented_key)


@dataclass
class World:
    """The service's container with the memory unit of work, on a frozen clock."""

    store: MemoryStore
    clock: FixedClock
    container: Container

    @property
    def login(self) -> Login:
        return self.container.auth.login()

    @property
    def refresh(self) -> RefreshSession:
        return self.container.auth.refresh_session()

    @property
    def authenticate(self) -> Authenticate:
        return self.container.auth.authenticate()

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    async def sign_in(self, secret: str):
        challenge = await self.container.auth.issue_challenge()()
        event = sign_event(
            secret,
            kind=22242,
            tags=[["relay", URL], ["challenge", challenge.challenge]],
            content="",
            created_at=int(self.clock.now().timestamp()),
        )
        return await self.login(SignInRequest(event=event))


def _world(tmp_path, api_keys=None) -> World:
    store = MemoryStore()
    clock = FixedClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    overrides = {}
    if api_keys is not None:
        overrides["api_key_verifier"] = providers.Object(api_keys)
    settings = settings_for_tests(tmp_path, public_url=URL, jwt_secret=secrets.token_hex(32))
    return World(
        store=store,
        clock=clock,
        container=container_for_tests(settings, clock=clock, store=store, **overrides),
    )


def _bearer(token: str) -> Credentials:
    return Credentials(method="GET", url=f"{URL}/api/v1/me", authorization=f"Bearer {token}")


async def test_a_signed_in_users_bearer_token_names_the_user_and_session(tmp_path):
    world = _world(tmp_path)
    signed_in = await world.sign_in(generate_secret_key())

    principal = await world.authenticate(_bearer(signed_in.access_token))

    assert principal is not None
    assert (principal.user_id, principal.session_id) == (signed_in.user.id, signed_in.session_id)
    assert principal.credential is CredentialKind.BEARER


async def test_no_credential_is_anonymous_and_two_credentials_are_refused(tmp_path):
    world = _world(tmp_path)
    assert await world.authenticate(Credentials(method="GET", url=URL)) is None
    with pytest.raises(Unauthorized, match="one credential"):
        await world.authenticate(Credentials(method="GET", url=URL, authorization="Bearer x", api_key="k"))


async def test_an_api_key_acts_for_its_owner_with_its_scopes_only(tmp_path):
    keys = GrantingApiKeys()
    world = _world(tmp_path, api_keys=keys)
    signed_in = await world.sign_in(generate_secret_key())
    grant = ApiKeyGrant(api_key_id=uuid4(), user_id=signed_in.user.id, scopes=frozenset({"wot:read"}))
    keys.known["nid_key"] = grant

    principal = await world.authenticate(Credentials(method="GET", url=URL, api_key="nid_key"))

    assert principal is not None and principal.is_machine
    assert principal.user_id == signed_in.user.id
    assert principal.session_id is None and principal.api_key_id == grant.api_key_id
    assert principal.scopes == frozenset({"wot:read"})
    with pytest.raises(Unauthorized):
        await world.authenticate(Credentials(method="GET", url=URL, api_key="other"))


async def test_concurrent_nip98_requests_of_a_new_pubkey_make_exactly_one_account(tmp_path):
    world = _world(tmp_path)
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


async def test_refresh_rotates_then_reuse_revokes_the_family(tmp_path):
    world = _world(tmp_path)
    signed_in = await world.sign_in(generate_secret_key())

    rotated = await world.refresh(signed_in.refresh_token, NO_ORIGIN)
    with pytest.raises(RefreshReused):
        await world.refresh(signed_in.refresh_token, NO_ORIGIN)

    with pytest.raises(Unauthorized):
        await world.refresh(rotated.refresh_token, NO_ORIGIN)
    with pytest.raises(Unauthorized, match="session has ended"):
        await world.authenticate(_bearer(rotated.access_token))


async def test_the_session_verdict_follows_the_session_expiry_on_the_clock(tmp_path):
    world = _world(tmp_path)
    signed_in = await world.sign_in(generate_secret_key())
    world.clock.advance(timedelta(days=30) - timedelta(minutes=10))
    refreshed = await world.refresh(signed_in.refresh_token, NO_ORIGIN)

    assert await world.authenticate(_bearer(refreshed.access_token)) is not None
    world.clock.advance(timedelta(minutes=10))

    # A refresh never extends the session past 30 days from its sign-in.
    with pytest.raises(Unauthorized):
        await world.authenticate(_bearer(refreshed.access_token))
