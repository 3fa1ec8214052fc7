"""What an administrator does: find users, suspend and restore them, change roles, suspend names,
read the audit log. Each change and its audit entry are written in one transaction: if the entry
cannot be written, the change is rolled back."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from msgspec import Struct

from application.names.changes import NameChanges
from domain.clock import Clock
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.ports.persistence import UnitOfWork
from domain.records.audit import AuditLog, AuditLogQuery
from domain.records.names import Nip05
from domain.records.paging import PageCursor
from domain.records.users import User, UserRole

HEX_PREFIX_CHARS = frozenset("0123456789abcdef")


class Acting(Struct, frozen=True, kw_only=True):
    """Who performs an action and from where, as the audit log records it."""

    user_id: UUID | None
    pubkey: str | None = None
    ip: str | None = None
    user_agent: str | None = None


SessionsRevoked = Callable[[UUID], Awaitable[None]]


async def _nothing_to_tell(_: UUID) -> None:
    return None


def _entry(
    acting: Acting, action: str, target_type: str, target_id: UUID, now: datetime, **details: Any
) -> AuditLog:
    return AuditLog.record(
        action=action,
        now=now,
        actor_user_id=acting.user_id,
        actor_pubkey=acting.pubkey,
        target_type=target_type,
        target_id=str(target_id),
        ip=acting.ip,
        user_agent=acting.user_agent,
        details=details,
    )


async def _user(uow: UnitOfWork, user_id: UUID) -> User:
    user = await uow.users.get(user_id)
    if user is None:
        raise NotFound("user not found")
    return user


class ListUsers:
    """Users oldest first; `query` is a pubkey prefix (hex) to search by."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: str | None, after: PageCursor | None, limit: int) -> list[User]:
        prefix = query.strip().lower() if query else None
        if prefix is not None and not set(prefix) <= HEX_PREFIX_CHARS:
            raise InvalidInput("query is a prefix of a hex pubkey", {"query": "not hexadecimal"})
        async with self._uow as uow:
            return await uow.users.search(pubkey_prefix=prefix or None, after=after, limit=limit)


class SuspendUser:
    """Suspends an account and revokes every session of it at once."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, sessions_revoked: SessionsRevoked = _nothing_to_tell
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._sessions_revoked = sessions_revoked

    async def __call__(self, acting: Acting, user_id: UUID) -> User:
        if acting.user_id == user_id:
            raise Forbidden("an administrator cannot suspend their own account")
        now = self._clock.now()
        async with self._uow as uow:
            user = (await _user(uow, user_id)).suspend(now)
            await uow.users.update(user)
            revoked = await uow.sessions.revoke_all_for_user(user_id, now)
            await uow.audit_log.add(
                _entry(acting, "admin.user.suspend", "user", user_id, now, sessions=revoked)
            )
            await uow.commit()
        await self._sessions_revoked(user_id)
        return user


class UnsuspendUser:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, acting: Acting, user_id: UUID) -> User:
        now = self._clock.now()
        async with self._uow as uow:
            user = (await _user(uow, user_id)).unsuspend(now)
            await uow.users.update(user)
            await uow.audit_log.add(_entry(acting, "admin.user.unsuspend", "user", user_id, now))
            await uow.commit()
        return user


class ChangeUserRole:
    def __init__(
        self, uow: UnitOfWork, clock: Clock, sessions_revoked: SessionsRevoked = _nothing_to_tell
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._sessions_revoked = sessions_revoked

    async def __call__(self, acting: Acting, user_id: UUID, role: str) -> User:
        try:
            new_role = UserRole(role)
        except ValueError:
            roles = ", ".join(r.value for r in UserRole)
            raise InvalidInput(f"role must be one of {roles}", {"role": "unknown role"}) from None
        if acting.user_id == user_id and new_role is not UserRole.ADMIN:
            raise Forbidden("an administrator cannot remove their own role")
        now = self._clock.now()
        async with self._uow as uow:
            before = await _user(uow, user_id)
            user = before.with_role(new_role, now)
            await uow.users.update(user)
            await uow.audit_log.add(
                _entry(
                    acting,
                    "admin.user.role",
                    "user",
                    user_id,
                    now,
                    before=before.role.value,
                    after=new_role.value,
                )
            )
            await uow.commit()
        # A cached verdict on the user's sessions carries the old role.
        await self._sessions_revoked(user_id)
        return user


class SuspendName:
    """Suspends a NIP-05 name; nostr.json stops serving it at once."""

    def __init__(self, uow: UnitOfWork, clock: Clock, changes: NameChanges) -> None:
        self._uow = uow
        self._clock = clock
        self._changes = changes

    async def __call__(self, acting: Acting, name_id: UUID) -> Nip05:
        now = self._clock.now()
        async with self._uow as uow:
            record = await uow.nip05_names.get(name_id)
            if record is None:
                raise NotFound("NIP-05 name not found")
            record = record.suspend(now)
            await uow.nip05_names.update(record)
            await uow.audit_log.add(
                _entry(acting, "admin.nip05.suspend", "nip05", name_id, now, identifier=record.identifier)
            )
            await uow.commit()
        await self._changes.names_changed(record.domain, [record.name])
        return record


class ReadAuditLog:
    """Audit entries oldest first, filtered, one keyset page at a time."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, query: AuditLogQuery) -> list[AuditLog]:
        async with self._uow as uow:
            return await uow.audit_log.search(query)
