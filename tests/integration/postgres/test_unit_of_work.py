"""Units of work: commit keeps, anything else rolls back; a Conflict leaves the unit usable."""

import pytest

from domain.errors import Conflict, NotFound
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

    newcomer, other = builders.user(), builders.user(lnurl_key=builders.linking_key())
    async with new_uow() as uow:
        await uow.users.add(newcomer)
        with pytest.raises(Conflict):
            await uow.users.add(builders.user(pubkey=existing.pubkey))
        await uow.users.add(other)
        with pytest.raises(Conflict):
            await uow.users.update(newcomer.link_lnurl_key(other.lnurl_key or "", builders.NOW))
        with pytest.raises(NotFound):
            await uow.users.update(builders.user())
        await uow.commit()

    async with new_uow() as uow:
        assert await uow.users.get(newcomer.id) == newcomer
        assert await uow.users.get(other.id) == other
        assert await uow.users.get_by_pubkey(existing.pubkey) == existing
