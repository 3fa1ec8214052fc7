"""Audit ports: the audit log (see domain.shared.unit_of_work)."""

from typing import Protocol

from domain.audit.entries import AuditLog, AuditLogQuery


class AuditLogRepository(Protocol):
    """The append-only audit log."""

    async def add(self, entry: AuditLog) -> None: ...

    async def search(self, query: AuditLogQuery) -> list[AuditLog]:
        """Entries matching the query, oldest first (by occurred_at, id), at most query.limit."""
        ...
