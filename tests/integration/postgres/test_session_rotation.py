"""The two session statements sign-in relies on: the open session of a family, and the atomic
rotation step; in PostgreSQL and in memory."""

import asyncio
import secrets
from datetime import timedelta

import pytest

from domain.shared.hashing import secret_digest
from tests import builders
from tests.builders import NOW
from tests.integration.postgres.support import UowFactory, committed

pytestmark = pytest.mark.integration


async def test_the_open_session_of_a_family_is_its_unrotated_unrevoked_unexpired_one(
    new_uow: UowFactory,
) -> None:
    user = builders.user()
    first = builders.session(user.id)
    rotated, current = first.rotate(
        secret_digest(secrets.token_hex(16)), NOW + timedelta(minutes=1), timedelta(days=30)
    )
    other_family = builders.session(user.id)
    await committed(new_uow, user, rotated, current, other_family)

    async with new_uow() as uow:
        assert await uow.sessions.find_open_in_family(first.family_id, NOW) == current
        assert await uow.sessions.find_open_in_family(other_family.family_id, NOW) == other_family
        assert await uow.sessions.find_open_in_family(user.id, NOW) is None  # no such family
        expired_at = current.expires_at
        assert await uow.sessions.find_open_in_family(first.family_id, expired_at) is None
        await uow.sessions.revoke_family(other_family.family_id, NOW)
        assert await uow.sessions.find_open_in_family(other_family.family_id, NOW) is None


async def test_a_session_is_marked_rotated_once_and_only_while_usable(new_uow: UowFactory) -> None:
    user = builders.user()
    session, expired = builders.session(user.id), builders.session(user.id)
    await committed(new_uow, user, session, expired)
    later = NOW + timedelta(minutes=3)

    async with new_uow() as uow:
        assert await uow.sessions.mark_rotated(session.id, later) is True
        assert await uow.sessions.mark_rotated(session.id, later) is False
        assert await uow.sessions.mark_rotated(expired.id, expired.expires_at) is False
        await uow.commit()

    async with new_uow() as uow:
        stored = await uow.sessions.get(session.id)
    assert stored is not None and (stored.rotated_at, stored.last_used_at) == (later, later)


async def test_of_concurrent_rotations_of_one_session_exactly_one_wins(new_uow: UowFactory) -> None:
    user = builders.user()
    session = builders.session(user.id)
    await committed(new_uow, user, session)

    async def rotate() -> bool:
        async with new_uow() as uow:
            won = await uow.sessions.mark_rotated(session.id, NOW)
            await asyncio.sleep(0.01)  # hold the row while the others try
            await uow.commit()
            return won

    results = await asyncio.gather(*(rotate() for _ in range(6)))

    assert sorted(results) == [False] * 5 + [True]
