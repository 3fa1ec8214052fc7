"""Administering accounts: roles and suspension, each audited in the same transaction."""

from contextlib import AsyncExitStack
from datetime import datetime
from uuid import UUID

from application.auth.accounts import find_or_register
from application.auth.auth_verdicts import AuthVerdicts
from application.auth.ending_every_session import ending_every_session
from application.names.changes import NameChanges
from domain.audit.entries import Actor, AuditLog
from domain.auth.users import User, UserRole
from domain.shared.clock import Clock
from domain.shared.errors import NotFound
from domain.shared.unit_of_work import UnitOfWork, UowFactory

ROLE_CHANGED = "user.role_changed"
USER_SUSPENDED = "user.suspended"
USER_UNSUSPENDED = "user.unsuspended"


def _entry(actor: Actor, action: str, user: User, now: datetime, details: dict[str, object]) -> AuditLog:
    return AuditLog.record(
        action=action,
        now=now,
        actor=actor,
        target=("user", user.id),
        details={"via": actor.via, "target_pubkey": user.pubkey, **details},
    )


class ChangeRole:
    """Gives an account a role. By pubkey (the command line) the account is made if it is new."""

    def __init__(self, unit_of_work: UowFactory, verdicts: AuthVerdicts, clock: Clock) -> None:
        self._uow = unit_of_work
        self._verdicts = verdicts
        self._clock = clock

    async def by_pubkey(self, pubkey: str, role: UserRole, actor: Actor) -> User:
        async with self._uow() as uow:
            user = await find_or_register(uow, pubkey, self._clock.now(), origin=actor.origin)
            await uow.commit()
        await self._verdicts.pubkeys.invalidate(pubkey)
        return await self.by_id(user.id, role, actor)

    async def by_id(self, user_id: UUID, role: UserRole, actor: Actor) -> User:
        async with self._verdicts.accounts.changing(str(user_id)), self._uow() as uow:
            user = await _user(uow, user_id)
            if user.role is role:
                return user
            now = self._clock.now()
            changed = user.with_role(role, now)
            await uow.users.update(changed)
            await uow.audit_log.add(
                _entry(actor, ROLE_CHANGED, changed, now, {"from": user.role.value, "to": role.value})
            )
            await uow.commit()
        return changed


class SetSuspension:
    """Suspends an account (its tokens, sessions and keys stop working at once, and nostr.json stops
    serving its names in every process) or lifts it (its names are served again).

    Either way every session of the account is revoked, so lifting a suspension does not bring back
    the tokens it stopped (nor a session a refresh racing the suspension opened): the user signs in
    again.
    """

    def __init__(
        self, unit_of_work: UowFactory, verdicts: AuthVerdicts, clock: Clock, names: NameChanges
    ) -> None:
        self._uow = unit_of_work
        self._verdicts = verdicts
        self._clock = clock
        self._names = names

    async def __call__(self, user_id: UUID, *, suspended: bool, actor: Actor) -> User:
        now = self._clock.now()
        async with self._uow() as uow:
            by_domain: dict[str, list[str]] = {}
            for record in await uow.nip05_names.list_for_user(user_id):
                by_domain.setdefault(record.domain, []).append(record.name)
        ending = ending_every_session(self._uow, self._verdicts, user_id, now)
        async with AsyncExitStack() as served:
            for domain, names in by_domain.items():
                await served.enter_async_context(self._names.changing(domain, names))
            async with (
                self._verdicts.accounts.changing(str(user_id)),
                ending as revoke_all,
                self._uow() as uow,
            ):
                user = await _user(uow, user_id)
                changed = user.suspend(now) if suspended else user.unsuspend(now)
                await uow.users.update(changed)
                revoked = await revoke_all(uow)
                action = USER_SUSPENDED if suspended else USER_UNSUSPENDED
                await uow.audit_log.add(_entry(actor, action, changed, now, {"revoked": revoked}))
                await uow.commit()
        return changed


async def _user(uow: UnitOfWork, user_id: UUID) -> User:
    user = await uow.users.get(user_id)
    if user is None:
        raise NotFound("no such user")
    return user
