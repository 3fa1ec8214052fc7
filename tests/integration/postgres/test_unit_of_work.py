"""Units of work: commit keeps, anything else rolls back; a Conflict leaves the unit usable."""

from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import pytest
from msgspec import structs

from adapters.postgres.pool import create_pool
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from domain.auth.lnurl import LnurlAction
from domain.shared.errors import Conflict, InvalidInput, NotFound
from domain.shared.unit_of_work import DatabaseUnavailable
from tests import builders
from tests.integration.postgres.support import UowFactory

pytestmark = pytest.mark.integration


class Boom(Exception):
    pass


async def test_committed_work_is_seen_by_the_next_unit_of_work(new_uow: UowFactory) -> None:
    user = builders.user()
    async with new_uow() as uow:
        await uow.users.add(user)
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.users.get(user.id) == user


async def test_leaving_without_commit_rolls_back(new_uow: UowFactory) -> None:
    user = builders.user()
    async with new_uow() as uow:
        await uow.users.add(user)
        assert await uow.users.get(user.id) == user

    async with new_uow() as uow:
        assert await uow.users.get(user.id) is None


async def test_an_exception_rolls_back(new_uow: UowFactory) -> None:
    user = builders.user()
    with pytest.raises(Boom):
        async with new_uow() as uow:
            await uow.users.add(user)
            raise Boom

    async with new_uow() as uow:
        assert await uow.users.get(user.id) is None


async def test_explicit_rollback_discards_and_the_unit_goes_on(new_uow: UowFactory) -> None:
    dropped, kept = builders.user(), builders.user()
    async with new_uow() as uow:
        await uow.users.add(dropped)
        await uow.rollback()
        await uow.users.add(kept)
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.users.get(dropped.id) is None
        assert await uow.users.get(kept.id) == kept


async def test_work_after_a_commit_needs_its_own_commit(new_uow: UowFactory) -> None:
    first, second = builders.user(), builders.user()
    async with new_uow() as uow:
        await uow.users.add(first)
        await uow.commit()
        await uow.users.add(second)

    async with new_uow() as uow:
        assert await uow.users.get(first.id) == first
        assert await uow.users.get(second.id) is None


async def test_a_unit_of_work_can_be_entered_again(new_uow: UowFactory) -> None:
    uow = new_uow()
    user = builders.user()
    async with uow:
        await uow.users.add(user)
        await uow.commit()
    async with uow:
        assert await uow.users.get(user.id) == user


async def test_a_conflict_leaves_the_rest_of_the_work_intact(new_uow: UowFactory) -> None:
    existing = builders.user()
    async with new_uow() as uow:
        await uow.users.add(existing)
        await uow.commit()

    newcomer, other = builders.user(), builders.user()
    async with new_uow() as uow:
        await uow.users.add(newcomer)
        with pytest.raises(Conflict):
            await uow.users.add(builders.user(pubkey=existing.pubkey))
        await uow.users.add(other)
        with pytest.raises(Conflict):
            await uow.users.update(structs.replace(newcomer, pubkey=other.pubkey))
        with pytest.raises(NotFound):
            await uow.users.update(builders.user())
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.users.get(newcomer.id) == newcomer
        assert await uow.users.get(other.id) == other
        assert await uow.users.get_by_pubkey(existing.pubkey) == existing


async def test_a_record_referring_to_a_missing_record_is_a_conflict_and_the_unit_goes_on(
    new_uow: UowFactory,
) -> None:
    user = builders.user()
    ghost = builders.user()
    async with new_uow() as uow:
        await uow.users.add(user)
        with pytest.raises(Conflict):
            await uow.sessions.add(builders.session(ghost.id))
        with pytest.raises(Conflict):
            await uow.api_key_usage.increment(uuid4(), builders.NOW.date(), "/api/v1/wot", "2xx")
        with pytest.raises(Conflict):
            await uow.lnurl_sessions.add(builders.lnurl_session(LnurlAction.LINK, user_id=ghost.id))
        session = builders.lnurl_session()
        await uow.lnurl_sessions.add(session)
        with pytest.raises(Conflict):
            await uow.lnurl_sessions.complete(session.k1, builders.linking_key(), ghost.id, builders.NOW)
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.users.get(user.id) == user
        assert await uow.lnurl_sessions.get_by_k1(session.k1) == session


async def test_a_value_the_schema_forbids_is_invalid_input(new_uow: UowFactory) -> None:
    user = builders.user()
    key = builders.api_key(user.id)
    async with new_uow() as uow:
        await uow.users.add(user)
        await uow.api_keys.add(key)
        with pytest.raises(InvalidInput):
            await uow.api_key_usage.increment(key.id, builders.NOW.date(), "/api/v1/wot", "7xx")
        with pytest.raises(InvalidInput):
            await uow.api_key_usage.increment(key.id, builders.NOW.date(), "", "2xx")
        assert await uow.api_key_usage.increment(key.id, builders.NOW.date(), "/api/v1/wot", "2xx") == 1
        await uow.commit()


async def test_an_unreachable_database_raises_database_unavailable(postgres_admin_url: str) -> None:
    parts = urlsplit(postgres_admin_url)
    missing = urlunsplit((parts.scheme, parts.netloc, "/nostr_id_test_missing", parts.query, parts.fragment))
    pool = create_pool(missing, timeout=1.0)
    await pool.open(wait=False)
    try:
        with pytest.raises(DatabaseUnavailable):
            async with PostgresUnitOfWork(pool) as uow:
                await uow.users.get(uuid4())
    finally:
        await pool.close()
