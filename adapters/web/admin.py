"""The admin page (role admin; anyone else gets 403): users (search by pubkey, suspend or lift,
change the role), a user's names (suspend one) and the audit log with its filters. The same use
cases as /api/v1/admin, so every change is audited alike, from this request's origin."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, SkipValidation
from litestar.response import Redirect, Template

from adapters.http.admin_users import actor_of
from adapters.http.problems import status_of
from adapters.web.amounts import instant_text
from adapters.web.forms import form_of
from adapters.web.pages import page
from application.admin.actions import ListUsers, ReadAuditLog, SuspendName
from application.auth.admin_users import ChangeRole, SetSuspension
from application.names.manage_names import ListNames
from domain.audit.entries import ACTION_SHAPE, AuditLog, AuditLogQuery
from domain.auth.principal import Principal
from domain.auth.users import User, UserRole
from domain.nostr.nip19 import encode_npub
from domain.shared.errors import Conflict, DomainError, InvalidInput, InvalidTransition, NotFound
from domain.shared.paging import parse_page_cursor

REFUSALS = (InvalidInput, Conflict, NotFound, InvalidTransition)
USERS_SHOWN = 50
ENTRIES_SHOWN = 50
# Without a "since", the log opens on the last day.
DEFAULT_SINCE = timedelta(days=1)
NOTICES = {
    "suspended": "The account is suspended: its sessions and keys stopped working.",
    "unsuspended": "The suspension is lifted: the user signs in again.",
    "role": "The role is changed.",
    "name": "The name is suspended: nostr.json no longer serves it.",
}


class RoleForm(msgspec.Struct):
    role: Literal["user", "admin"]


@dataclass(frozen=True)
class Filters:
    """The page's query: the user search, whose names are open, and the audit log's filters."""

    query: str = ""
    user: str = ""
    action: str = ""
    actor: str = ""
    since: str = ""
    until: str = ""
    after: str = ""

    def link(self, **changed: str) -> str:
        values = {**self.__dict__, **changed}
        return "/admin?" + urlencode({key: value for key, value in values.items() if value})


def _instant(text: str, field: str) -> datetime | None:
    """A `datetime-local` field's value (UTC) or an RFC 3339 time."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{field} is not a date and time", {field: "not a date-time"}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _uuid(text: str, field: str) -> UUID | None:
    if not text:
        return None
    try:
        return UUID(text)
    except ValueError:
        raise InvalidInput(f"{field} is not a user id", {field: "not a UUID"}) from None


def audit_query(filters: Filters) -> AuditLogQuery:
    if filters.action and ACTION_SHAPE.fullmatch(filters.action) is None:
        raise InvalidInput("action is a word like user.suspended", {"action": "malformed"})
    return AuditLogQuery(
        actor_user_id=_uuid(filters.actor, "actor"),
        action=filters.action or None,
        since=_instant(filters.since, "since"),
        until=_instant(filters.until, "until"),
        after=parse_page_cursor(filters.after) if filters.after else None,
        limit=ENTRIES_SHOWN + 1,
    )


@dataclass(frozen=True)
class UserView:
    id: UUID
    npub: str
    pubkey: str
    role: str
    status: str
    joined: str
    is_suspended: bool


@dataclass(frozen=True)
class EntryView:
    when: str
    action: str
    actor: str
    target: str
    origin: str
    details: str


def user_view(user: User) -> UserView:
    return UserView(
        id=user.id,
        npub=encode_npub(user.pubkey),
        pubkey=user.pubkey,
        role=user.role.value,
        status=user.status.value,
        joined=instant_text(user.created_at),
        is_suspended=not user.is_active,
    )


def entry_view(entry: AuditLog) -> EntryView:
    return EntryView(
        when=instant_text(entry.occurred_at),
        action=entry.action,
        actor=str(entry.actor_user_id or entry.details.get("via") or "service"),
        target=f"{entry.target_type} {entry.target_id}" if entry.target_type else "",
        origin=entry.ip or "",
        details=json.dumps(entry.details, sort_keys=True, default=str)[:300],
    )


@dataclass(frozen=True)
class AdminView:
    request: Request[Any, Any, Any]
    principal: Principal
    list_users: ListUsers
    list_names: ListNames
    read_audit_log: ReadAuditLog

    def filters(self) -> Filters:
        params = self.request.query_params
        since = params.get("since")
        if since is None:
            since = (datetime.now(UTC) - DEFAULT_SINCE).strftime("%Y-%m-%dT%H:%M")
        return Filters(
            query=params.get("query", "").strip()[:64],
            user=params.get("user", "")[:36],
            action=params.get("action", "").strip()[:100],
            actor=params.get("actor", "").strip()[:36],
            since=since[:40],
            until=params.get("until", "")[:40],
            after=params.get("after", "")[:80],
        )

    async def __call__(self, *, error: DomainError | None = None) -> Template:
        filters = self.filters()
        problems: list[str] = [str(error)] if error else []
        users: list[UserView] = []
        try:
            users = [user_view(u) for u in await self.list_users(filters.query or None, None, USERS_SHOWN)]
        except InvalidInput as refused:
            problems.append(f"Search: {refused}")
        names, named = [], None
        try:
            if (named_id := _uuid(filters.user, "user")) is not None:
                names = await self.list_names(named_id)
                named = next((u for u in users if u.id == named_id), None) or str(named_id)
        except InvalidInput as refused:
            problems.append(f"Names: {refused}")
        entries: list[AuditLog] = []
        try:
            entries = await self.read_audit_log(audit_query(filters))
        except InvalidInput as refused:
            problems.append(f"Audit log: {refused}")
        following = entries[ENTRIES_SHOWN - 1].cursor.text if len(entries) > ENTRIES_SHOWN else None
        return page(
            self.request,
            "admin.html",
            title="Administration",
            principal=self.principal,
            status_code=status_of(error) if error else (422 if problems else 200),
            filters=filters,
            users=users,
            names=names,
            named=named,
            entries=[entry_view(entry) for entry in entries[:ENTRIES_SHOWN]],
            next_page=filters.link(after=following) if following else None,
            back=filters.link(),
            notice=NOTICES.get(self.request.query_params.get("done", "")),
            problems=problems,
        )


async def admin_view(
    request: Request[Any, Any, Any],
    web_principal: NamedDependency[Principal],
    list_users: NamedDependency[SkipValidation[ListUsers]],
    list_names: NamedDependency[SkipValidation[ListNames]],
    read_audit_log: NamedDependency[SkipValidation[ReadAuditLog]],
) -> AdminView:
    return AdminView(request, web_principal, list_users, list_names, read_audit_log)


def _back(request_form: Any, done: str) -> Redirect:
    """Back to the admin page the form was on (its filters kept), saying what was done."""
    back = str(request_form.get("back") or "/admin")
    if not back.startswith("/admin") or back.startswith("//"):
        back = "/admin"
    separator = "&" if "?" in back else "?"
    return Redirect(f"{back}{separator}done={done}", status_code=303)


class AdminPages(Controller):
    path = "/admin"

    @get("/")
    async def admin(
        self,
        request: Request[Any, Any, Any],
        web_principal: NamedDependency[Principal],
        admin_view: NamedDependency[SkipValidation[AdminView]],
    ) -> Template:
        if not web_principal.is_admin:
            return forbidden(request, web_principal)
        return await admin_view()

    @post("/users/{user_id:uuid}/{change:str}", status_code=303)
    async def change_user(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[UUID],
        change: FromPath[str],
        web_principal: NamedDependency[Principal],
        set_suspension: NamedDependency[SkipValidation[SetSuspension]],
        change_role: NamedDependency[SkipValidation[ChangeRole]],
        admin_view: NamedDependency[SkipValidation[AdminView]],
    ) -> Redirect | Template:
        if not web_principal.is_admin:
            return forbidden(request, web_principal)
        actor = actor_of(request, web_principal)
        try:
            if change in ("suspend", "unsuspend"):
                await set_suspension(user_id, suspended=change == "suspend", actor=actor)
                done = f"{change}ed"
            elif change == "role":
                form = await form_of(request, RoleForm)
                await change_role.by_id(user_id, UserRole(form.role), actor)
                done = "role"
            else:
                raise NotFound(f"no change {change!r}")
        except REFUSALS as refused:
            return await admin_view(error=refused)
        return _back(await request.form(), done)

    @post("/names/{name_id:uuid}/suspend", status_code=303)
    async def suspend_name(
        self,
        request: Request[Any, Any, Any],
        name_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        suspend_name: NamedDependency[SkipValidation[SuspendName]],
        admin_view: NamedDependency[SkipValidation[AdminView]],
    ) -> Redirect | Template:
        if not web_principal.is_admin:
            return forbidden(request, web_principal)
        try:
            await suspend_name(actor_of(request, web_principal), name_id)
        except REFUSALS as refused:
            return await admin_view(error=refused)
        return _back(await request.form(), "name")


def forbidden(request: Request[Any, Any, Any], principal: Principal) -> Template:
    return page(request, "forbidden.html", title="Administrators only", principal=principal, status_code=403)
