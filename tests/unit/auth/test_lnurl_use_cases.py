"""LNURL-auth and linked wallets as use cases from the container, on the memory unit of work: the
poll secret, claiming on GET only, linking only with a fresh NIP-98 proof, unlinking one's own."""

import secrets
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest
from coincurve import PrivateKey
from msgspec import structs

from application.auth.lnurl import LINK_NEEDS_NIP98
from bootstrap.container import Container
from domain.audit.entries import NO_ORIGIN
from domain.auth.lnurl import LnurlAction, LnurlStatus
from domain.auth.principal import CredentialKind, Principal
from domain.auth.users import User
from domain.shared.clock import FixedClock
from domain.shared.errors import Forbidden, NotFound
from tests.fakes.unit_of_work import MemoryStore
from tests.support.app import container_for_tests, settings_for_tests

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _container(tmp_path) -> Container:
    store = MemoryStore()
    settings = settings_for_tests(tmp_path, public_url="https://id.example", jwt_secret=secrets.token_hex(32))
    return container_for_tests(settings, clock=FixedClock(NOW), store=store)


async def _user(container: Container) -> Principal:
    user = User.register(secrets.token_hex(32), NOW)
    async with container.unit_of_work() as uow:
        await uow.users.add(user)
        await uow.commit()
    return Principal(user_id=user.id, pubkey=user.pubkey, role=user.role, credential=CredentialKind.NOSTR)


async def _sign(container: Container, callback_url: str, wallet: PrivateKey) -> None:
    k1 = parse_qs(urlsplit(callback_url).query)["k1"][0]
    await container.auth.redeem_lnurl_auth()(
        tag="login",
        k1=k1,
        sig=wallet.sign(bytes.fromhex(k1), hasher=None).hex(),
        key=wallet.public_key.format(compressed=True).hex(),
        origin=NO_ORIGIN,
    )


async def test_t3_only_the_poll_secret_polls_and_only_a_claiming_poll_gets_the_tokens(tmp_path):
    container = _container(tmp_path)
    alice, wallet = await _user(container), PrivateKey()
    link = await container.auth.start_lnurl_auth()(LnurlAction.LINK, alice)
    await _sign(container, link.callback_url, wallet)
    login = await container.auth.start_lnurl_auth()(LnurlAction.LOGIN, None)
    await _sign(container, login.callback_url, wallet)
    poll = container.auth.poll_lnurl_auth()

    with pytest.raises(NotFound):
        await poll(login.session.k1, claim=True, origin=NO_ORIGIN)
    looked = await poll(login.poll_secret, claim=False, origin=NO_ORIGIN)
    claimed = await poll(login.poll_secret, claim=True, origin=NO_ORIGIN)

    assert login.poll_secret not in login.lnurl and login.poll_secret not in login.callback_url
    assert (looked.status, looked.tokens) == (LnurlStatus.OK, None)
    assert claimed.tokens is not None and claimed.tokens.user.id == alice.user_id


@pytest.mark.parametrize("credential", [CredentialKind.BEARER, CredentialKind.API_KEY])
async def test_t5_a_link_is_started_only_with_a_fresh_nip98_proof(tmp_path, credential):
    container = _container(tmp_path)
    alice = await _user(container)
    start = container.auth.start_lnurl_auth()

    with pytest.raises(Forbidden) as refused:
        await start(LnurlAction.LINK, structs.replace(alice, credential=credential))

    assert credential is CredentialKind.API_KEY or str(refused.value) == LINK_NEEDS_NIP98
    assert (await start(LnurlAction.LINK, alice)).session.user_id == alice.user_id


async def test_k2_a_wallet_is_unlinked_only_by_its_own_account(tmp_path):
    container = _container(tmp_path)
    alice, bob = await _user(container), await _user(container)
    for _ in range(2):
        link = await container.auth.start_lnurl_auth()(LnurlAction.LINK, alice)
        await _sign(container, link.callback_url, PrivateKey())
    first, second = await container.auth.list_wallets()(alice)

    with pytest.raises(NotFound):
        await container.auth.unlink_wallet()(bob, first.id, NO_ORIGIN)
    with pytest.raises(NotFound):
        await container.auth.unlink_wallet()(alice, uuid4(), NO_ORIGIN)
    await container.auth.unlink_wallet()(alice, first.id, NO_ORIGIN)

    assert await container.auth.list_wallets()(alice) == [second]
    assert await container.auth.list_wallets()(bob) == []
