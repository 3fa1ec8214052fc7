"""Ending every session of an account in the caller's transaction: signing out everywhere, and an
administrator suspending the account or lifting its suspension."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from uuid import UUID

from application.auth.auth_verdicts import AuthVerdicts
from domain.shared.unit_of_work import UnitOfWork, UowFactory


@asynccontextmanager
async def ending_every_session(
    unit_of_work: UowFactory, verdicts: AuthVerdicts, user_id: UUID, now: datetime
) -> AsyncIterator[Callable[[UnitOfWork], Awaitable[int]]]:
    """Wraps a transaction that ends every session of a user: the block calls the function it is
    given with its unit of work (before committing), and every process hears of the ended sessions."""
    async with unit_of_work() as uow:
        before = await _open_families(uow, user_id, now)
    during: set[UUID] = set()

    async def revoke(uow: UnitOfWork) -> int:
        during.update(await _open_families(uow, user_id, now))
        return await uow.sessions.revoke_all_for_user(user_id, now)

    async with verdicts.sessions.changing(*(str(f) for f in before)):
        yield revoke
    # Sessions opened between the two reads were revoked too; make every process hear of them.
    for family_id in during - before:
        await verdicts.sessions.invalidate(str(family_id))


async def _open_families(uow: UnitOfWork, user_id: UUID, now: datetime) -> set[UUID]:
    return {s.latest.family_id for s in await uow.sessions.list_open_for_user(user_id, now)}
