"""The audit log: who did what to which record, when and from where. Never holds secrets."""

import re
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from msgspec import Struct

from domain.nostr.pubkeys import parse_hex_pubkey
from domain.shared.errors import InvalidInput
from domain.shared.paging import PageCursor

ACTION_SHAPE = re.compile(r"[a-z0-9_.:-]{1,100}")
MAX_USER_AGENT_LENGTH = 512
# Keys whose values are credentials: an audit entry must never carry them.
SECRET_KEYS = frozenset(
    {
        "access_token",
        "api_key",
        "authorization",
        "k1",
        "key",
        "nsec",
        "password",
        "refresh_token",
        "secret",
        "sig",
        "signature",
        "token",
    }
)


def _secret_keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {key for key in value if str(key).lower() in SECRET_KEYS}
        for nested in value.values():
            found |= _secret_keys_in(nested)
        return found
    if isinstance(value, list | tuple):
        return set().union(*(_secret_keys_in(item) for item in value)) if value else set()
    return set()


class AuditLog(Struct, frozen=True, kw_only=True):
    id: UUID
    occurred_at: datetime
    action: str
    actor_user_id: UUID | None = None
    actor_pubkey: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    details: dict[str, Any] = {}

    def __post_init__(self) -> None:
        if ACTION_SHAPE.fullmatch(self.action) is None:
            raise InvalidInput("action must be 1 to 100 characters of a-z, 0-9, '_', '.', ':' or '-'")
        if self.actor_pubkey is not None:
            parse_hex_pubkey(self.actor_pubkey, "actor_pubkey")
        if secret_keys := _secret_keys_in(self.details):
            raise InvalidInput(f"audit details must not hold secrets: {', '.join(sorted(secret_keys))}")

    @classmethod
    def record(
        cls,
        *,
        action: str,
        now: datetime,
        actor_user_id: UUID | None = None,
        actor_pubkey: str | None = None,
        target_type: str | None = None,
        target_id: str | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> "AuditLog":
        return cls(
            id=uuid4(),
            occurred_at=now,
            action=action,
            actor_user_id=actor_user_id,
            actor_pubkey=actor_pubkey,
            target_type=target_type,
            target_id=target_id,
            ip=ip,
            user_agent=user_agent[:MAX_USER_AGENT_LENGTH] if user_agent else None,
            details=details or {},
        )

    @property
    def cursor(self) -> PageCursor:
        return PageCursor(at=self.occurred_at, id=self.id)


class AuditLogQuery(Struct, frozen=True, kw_only=True):
    """Filters for reading the log, oldest first; every filter is optional."""

    actor_user_id: UUID | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after: PageCursor | None = None
    limit: int = 50

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= 1000:
            raise InvalidInput("limit must be between 1 and 1000", {"limit": "out of range"})
