"""Sign-in leftovers: expired NIP-42 challenges and LNURL-auth sessions, deleted periodically."""

from application.jobs import EachAlone
from domain.shared.clock import Clock
from domain.shared.unit_of_work import UowFactory


class DeleteExpiredSignIns:
    """Deletes the challenges and LNURL sessions that expired before now; returns how many went.

    An expired challenge or session can no longer be redeemed (`consume`, `complete` and
    `claim_tokens` all check expiry), so deleting it loses nothing. Challenges and sessions are
    deleted in transactions of their own: one that fails does not keep the other.
    """

    def __init__(self, unit_of_work: UowFactory, clock: Clock) -> None:
        self._unit_of_work = unit_of_work
        self._clock = clock

    async def __call__(self) -> int:
        now = self._clock.now()
        records = EachAlone("sign-in leftovers")
        deleted = 0
        async with records.alone("challenges"), self._unit_of_work() as uow:
            challenges = await uow.auth_challenges.delete_expired(now)
            await uow.commit()
            deleted += challenges
        async with records.alone("LNURL sessions"), self._unit_of_work() as uow:
            sessions = await uow.lnurl_sessions.delete_expired(now)
            await uow.commit()
            deleted += sessions
        return records.settle(deleted)
