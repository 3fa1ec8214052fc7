"""The verdicts authentication asks on every request, each loaded from PostgreSQL only on a miss."""

from uuid import UUID

from application.verdicts import VerdictNamespace, Verdicts
from domain.auth.verdicts import (
    ACCOUNT_NAMESPACE,
    PUBKEY_NAMESPACE,
    SESSION_NAMESPACE,
    AccountVerdict,
    PubkeyVerdict,
    SessionVerdict,
)
from domain.shared.clock import Clock
from domain.shared.unit_of_work import UowFactory

VERDICT_TTL = 300.0


class AuthVerdicts:
    """Is this account active and in which role; is this session open; whose is this pubkey.

    A change to any of them goes through `accounts.changing(...)`, `sessions.changing(...)` or
    `pubkeys.changing(...)` around its transaction, so every process hears of it within a second.
    """

    def __init__(
        self,
        verdicts: Verdicts,
        unit_of_work: UowFactory,
        clock: Clock,
        ttl: float = VERDICT_TTL,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self.accounts: VerdictNamespace[AccountVerdict] = verdicts.namespace(
            ACCOUNT_NAMESPACE, AccountVerdict, ttl=ttl
        )
        self.sessions: VerdictNamespace[SessionVerdict] = verdicts.namespace(
            SESSION_NAMESPACE, SessionVerdict, ttl=ttl
        )
        self.pubkeys: VerdictNamespace[PubkeyVerdict] = verdicts.namespace(
            PUBKEY_NAMESPACE, PubkeyVerdict, ttl=ttl
        )

    async def account(self, user_id: UUID) -> AccountVerdict:
        async def load() -> AccountVerdict:
            async with self._uow() as uow:
                return AccountVerdict.of(await uow.users.get(user_id))

        return await self.accounts.get(str(user_id), load)

    async def session(self, session_id: UUID) -> SessionVerdict:
        async def load() -> SessionVerdict:
            async with self._uow() as uow:
                current = await uow.sessions.find_open_in_family(session_id, self._clock.now())
            if current is None:
                return SessionVerdict()
            return SessionVerdict(user_id=current.user_id, open_until=current.expires_at)

        return await self.sessions.get(str(session_id), load)

    async def pubkey(self, pubkey: str) -> PubkeyVerdict:
        async def load() -> PubkeyVerdict:
            async with self._uow() as uow:
                user = await uow.users.get_by_pubkey(pubkey)
            return PubkeyVerdict(user_id=None if user is None else user.id)

        return await self.pubkeys.get(pubkey, load)
