"""The audit log: who did what to which record, when and from where. Never holds secrets."""

import ipaddress
import re
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from msgspec import Struct

from domain.nostr.pubkeys import parse_hex_pubkey
from domain.shared.errors import InvalidInput
from domain.shared.paging import PageCursor

ACTION_PATTERN = "^[a-z0-9_.:-]{1,100}$"
ACTION_SHAPE = re.compile(ACTION_PATTERN)
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


class RequestOrigin(Struct, frozen=True, kw_only=True):
    """Where a request came from: the client's address and its user agent. The HTTP adapter builds
    it once per request; the command line and jobs have none (`NO_ORIGIN`)."""

    ip: str | None = None
    user_agent: str | None = None


NO_ORIGIN = RequestOrigin()


class Actor(Struct, frozen=True, kw_only=True):
    """Who does an audited thing: an account (none for the operator or a job), where their request
    came from, and which way they came (`api`, `cli`)."""

    user_id: UUID | None = None
    pubkey: str | None = None
    origin: RequestOrigin = NO_ORIGIN
    via: str = "api"


def _address_or_none(value: str | None) -> str | None:
    """The address when it is an IP address (a test client or a socket path is not)."""
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


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
        actor: Actor,
        target: tuple[str, object] | None = None,
        details: dict[str, Any] | None = None,
    ) -> "AuditLog":
        """The one way an entry is made: what the actor did, to which record (type and id), from
        where, with details that must not hold secrets."""
        origin = actor.origin
        return cls(
            id=uuid4(),
            occurred_at=now,
            action=action,
            actor_user_id=actor.user_id,
            actor_pubkey=actor.pubkey,
            target_type=target[0] if target is not None else None,
            target_id=str(target[1]) if target is not None else None,
            ip=_address_or_none(origin.ip),
            user_agent=origin.user_agent[:MAX_USER_AGENT_LENGTH] if origin.user_agent else None,
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
