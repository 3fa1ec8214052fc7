"""What an administrator does besides account changes (application/auth/admin_users.py): find
users, suspend names, read the audit log. A change and its audit entry are written in one
transaction: if the entry cannot be written, the change is rolled back."""

from uuid import UUID

from application.names.changes import NameChanges
from domain.audit.entries import Actor, AuditLog, AuditLogQuery
from domain.auth.users import User
from domain.names.nip05 import Nip05
from domain.nostr.pubkeys import parse_pubkey_prefix
from domain.shared.clock import Clock
from domain.shared.errors import NotFound
from domain.shared.paging import PageCursor
from domain.shared.unit_of_work import UowFactory

NAME_SUSPENDED = "nip05.suspended"


class ListUsers:
    """Users oldest first, one keyset page at a time; `query` is a pubkey prefix (hex)."""

    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def __call__(self, query: str | None, after: PageCursor | None, limit: int) -> list[User]:
        prefix = parse_pubkey_prefix(query) if query and query.strip() else None
        async with self._uow() as uow:
            return await uow.users.search(pubkey_prefix=prefix, after=after, limit=limit)


class SuspendName:
    """Suspends a NIP-05 name; nostr.json stops serving it at once, in every process."""

    def __init__(self, uow: UowFactory, clock: Clock, changes: NameChanges) -> None:
        self._uow = uow
        self._clock = clock
        self._changes = changes

    async def __call__(self, actor: Actor, name_id: UUID) -> Nip05:
        async with self._uow() as uow:
            found = await uow.nip05_names.get(name_id)
        if found is None:
            raise NotFound("NIP-05 name not found")
        async with self._changes.changing(found.domain, [found.name]), self._uow() as uow:
            record = await uow.nip05_names.get(name_id)
            if record is None:
                raise NotFound("NIP-05 name not found")
            now = self._clock.now()
            record = record.suspend(now)
            await uow.nip05_names.update(record)
            await uow.audit_log.add(
                AuditLog.record(
                    action=NAME_SUSPENDED,
                    now=now,
                    actor=actor,
                    target=("nip05", name_id),
                    details={"via": actor.via, "identifier": record.identifier, "owner": str(record.user_id)},
                )
            )
            await uow.commit()
        return record


class ReadAuditLog:
    """Audit entries oldest first, filtered, one keyset page at a time."""

    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def __call__(self, query: AuditLogQuery) -> list[AuditLog]:
        async with self._uow() as uow:
            return await uow.audit_log.search(query)
