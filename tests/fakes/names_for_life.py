"""Memory twins of the key-recovery and renewal-reminder repositories, and of the record of which
sessions a wallet's sign-in opened (PostgreSQL semantics)."""

from collections.abc import Hashable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from msgspec import Struct, structs

from domain.auth.key_rotation import KeyRecovery, KeyRecoveryStatus
from domain.billing.reminders import DueReminder
from domain.shared.errors import Conflict

if TYPE_CHECKING:
    from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore, _Table


class WalletSession(Struct, frozen=True, kw_only=True):
    family_id: UUID
    wallet_id: UUID


class FakeKeyRecoveryRepository:
    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._rows: _Table[KeyRecovery] = uow.table(
            "key_recoveries",
            references={"user_id": "users", "wallet_id": "lnurl_wallets"},
            pending=lambda r: r.user_id if r.status is KeyRecoveryStatus.PENDING else None,
        )

    async def add(self, recovery: KeyRecovery) -> None:
        try:
            self._rows.insert(recovery.id, recovery)
        except Conflict:
            raise Conflict("a key recovery is pending for this account already") from None

    async def get_pending_for_user(self, user_id: UUID) -> KeyRecovery | None:
        return next(
            (r for r in self._rows.rows() if r.user_id == user_id and r.status is KeyRecoveryStatus.PENDING),
            None,
        )

    async def list_due(self, now: datetime, limit: int) -> list[KeyRecovery]:
        due = [r for r in self._rows.rows() if r.is_due(now)]
        return sorted(due, key=lambda r: (r.effective_at, r.id))[:limit]

    async def update(self, recovery: KeyRecovery) -> None:
        self._rows.replace(recovery.id, recovery)

    async def list_unnotified(self, limit: int) -> list[KeyRecovery]:
        found = [
            r for r in self._rows.rows() if r.status is KeyRecoveryStatus.PENDING and r.notified_at is None
        ]
        return sorted(found, key=lambda r: (r.requested_at, r.id))[:limit]

    async def claim_notification(self, recovery_id: UUID, now: datetime) -> bool:
        found = self._rows.get(recovery_id)
        if found is None or found.status is not KeyRecoveryStatus.PENDING or found.notified_at is not None:
            return False
        self._rows.replace(recovery_id, structs.replace(found, notified_at=now))
        return True

    async def release_notification(self, recovery_id: UUID) -> None:
        found = self._rows.get(recovery_id)
        if found is not None:
            self._rows.replace(recovery_id, structs.replace(found, notified_at=None))


class FakeRenewalReminderRepository:
    """Which reminders are due is a query over billing's tables that only PostgreSQL answers: tests
    of the use case make a reminder due with `make_due(store, reminder)`. Claims and marks take
    effect in the shared store at once, as PostgreSQL's committed claims do."""

    def __init__(self, uow: "FakeUnitOfWork") -> None:
        self._due: dict[Hashable, Any] = uow.store.table("renewal_reminders_due")
        self._claims: dict[Hashable, Any] = uow.store.table("renewal_reminders")

    @staticmethod
    def make_due(store: "MemoryStore", reminder: DueReminder) -> None:
        store.table("renewal_reminders_due")[_key(reminder)] = reminder

    @staticmethod
    def status(store: "MemoryStore", reminder: DueReminder) -> str | None:
        found = store.table("renewal_reminders").get(_key(reminder))
        return None if found is None else str(found)

    async def list_due(self, now: datetime, limit: int) -> list[DueReminder]:
        return [r for key, r in self._due.items() if self._claims.get(key) not in {"sending", "sent"}][:limit]

    async def claim(self, reminder: DueReminder, now: datetime) -> bool:
        if self._claims.get(_key(reminder)) in {"sending", "sent"}:
            return False
        self._claims[_key(reminder)] = "sending"
        return True

    async def mark_sent(self, reminder: DueReminder, now: datetime) -> None:
        self._claims[_key(reminder)] = "sent"

    async def mark_failed(self, reminder: DueReminder, now: datetime) -> None:
        self._claims[_key(reminder)] = "failed"


def _key(reminder: DueReminder) -> tuple[UUID, str, datetime]:
    return (reminder.subscription_id, reminder.kind.value, reminder.period_end)
