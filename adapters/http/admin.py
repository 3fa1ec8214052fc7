"""Administration (role admin) besides account changes (adapters/http/admin_users.py): the list of
users, name suspension and the audit log. Every change writes its audit entry in its transaction."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter, SkipValidation

from adapters.http.admin_users import AdminUserResponse
from adapters.http.fields import CursorParameter, Limit, decode_cursor
from adapters.http.names import NameResponse
from adapters.http.principal import actor_of
from adapters.http.responses import problem_responses
from application.admin.actions import ListUsers, ReadAuditLog, SuspendName
from domain.audit.entries import ACTION_PATTERN, AuditLog, AuditLogQuery
from domain.auth.principal import Principal
from domain.shared.errors import InvalidInput
from domain.shared.paging import PageCursor

# RFC 3339, as the document's `date-time` format says; a number is not a time here.
INSTANT_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
Instant = Annotated[
    str | None,
    QueryParameter(pattern=INSTANT_PATTERN, description="RFC 3339", schema_extra={"format": "date-time"}),
]
PubkeyPrefix = Annotated[
    str | None,
    QueryParameter(name="query", pattern="^[0-9a-fA-F]{1,64}$", description="start of a hex pubkey"),
]


def parse_instant(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{field} is not an RFC 3339 time", {field: "not a date-time"}) from None


class AdminUserList(msgspec.Struct):
    items: list[AdminUserResponse]
    next_cursor: str | None


class AuditEntryResponse(msgspec.Struct):
    id: UUID
    occurred_at: datetime
    action: str
    actor_user_id: UUID | None
    actor_pubkey: str | None
    target_type: str | None
    target_id: str | None
    ip: str | None
    user_agent: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditLog) -> "AuditEntryResponse":
        return cls(
            id=entry.id,
            occurred_at=entry.occurred_at,
            action=entry.action,
            actor_user_id=entry.actor_user_id,
            actor_pubkey=entry.actor_pubkey,
            target_type=entry.target_type,
            target_id=entry.target_id,
            ip=entry.ip,
            user_agent=entry.user_agent,
            details=entry.details,
        )


class AuditLogPage(msgspec.Struct):
    items: list[AuditEntryResponse]
    next_cursor: str | None


class AdminController(Controller):
    path = "/api/v1/admin"
    tags = ["admin"]

    @get("/users", **problem_responses(401, 403, 422, 503))
    async def users(
        self,
        admin_principal: NamedDependency[Principal],
        list_users: NamedDependency[SkipValidation[ListUsers]],
        search: PubkeyPrefix = None,
        cursor: CursorParameter = None,
        limit: Limit = 50,
    ) -> AdminUserList:
        """Users oldest first; `query` matches the start of a hex pubkey."""
        found = await list_users(search, decode_cursor(cursor), limit + 1)
        page = found[:limit]
        following = PageCursor(at=page[-1].created_at, id=page[-1].id).text if len(found) > limit else None
        return AdminUserList(items=[AdminUserResponse.of_user(user) for user in page], next_cursor=following)

    @post("/nip05/{name_id:uuid}/suspend", status_code=200, **problem_responses(401, 403, 404, 409, 422, 503))
    async def suspend_name(
        self,
        name_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        admin_principal: NamedDependency[Principal],
        suspend_name: NamedDependency[SkipValidation[SuspendName]],
    ) -> NameResponse:
        """Suspends a NIP-05 name; nostr.json stops serving it at once."""
        return NameResponse.of(await suspend_name(actor_of(request, admin_principal), name_id))

    @get("/audit-log", **problem_responses(401, 403, 422, 503))
    async def audit_log(
        self,
        admin_principal: NamedDependency[Principal],
        read_audit_log: NamedDependency[SkipValidation[ReadAuditLog]],
        actor: FromQuery[UUID | None] = None,
        action: Annotated[str | None, QueryParameter(pattern=ACTION_PATTERN)] = None,
        since: Instant = None,
        until: Instant = None,
        cursor: CursorParameter = None,
        limit: Limit = 50,
    ) -> AuditLogPage:
        """Audit entries oldest first; `actor` is a user id, `since` inclusive, `until` exclusive."""
        query = AuditLogQuery(
            actor_user_id=actor,
            action=action,
            since=parse_instant(since, "since"),
            until=parse_instant(until, "until"),
            after=decode_cursor(cursor),
            limit=limit + 1,
        )
        found = await read_audit_log(query)
        page = found[:limit]
        following = page[-1].cursor.text if len(found) > limit else None
        return AuditLogPage(items=[AuditEntryResponse.of(entry) for entry in page], next_cursor=following)
