"""A signed-in user's own sessions: refresh, sign out, sign out everywhere, list, end one."""

from datetime import datetime
from uuid import UUID

from msgspec import Struct

from application.auth.auth_verdicts import AuthVerdicts
from application.auth.ending_every_session import ending_every_session
from application.auth.sessions import REFRESH_LIFETIME, SignedIn, new_refresh_token, tokens_for
from domain.audit.entries import Actor, AuditLog, RequestOrigin
from domain.auth.ports import AccessTokens
from domain.auth.principal import Principal
from domain.auth.sessions import Session
from domain.shared.clock import Clock
from domain.shared.errors import NotFound, Unauthorized
from domain.shared.hashing import secret_digest
from domain.shared.unit_of_work import UowFactory

SIGNED_OUT = "auth.sign_out"
SIGNED_OUT_EVERYWHERE = "auth.sign_out_all"
SESSION_REVOKED = "auth.session_revoked"
REFRESH_REUSED = "auth.refresh_reuse"


class RefreshReused(Unauthorized):
    """A refresh token was presented after it had been exchanged: its whole family is revoked."""


def _audit(
    action: str,
    user_id: UUID,
    pubkey: str | None,
    family_id: UUID,
    now: datetime,
    origin: RequestOrigin,
    details: dict[str, object] | None = None,
) -> AuditLog:
    actor = Actor(user_id=user_id, pubkey=pubkey, origin=origin)
    return AuditLog.record(
        action=action, now=now, actor=actor, target=("session", family_id), details=details
    )


class RefreshSession:
    """Exchanges a refresh token for a new pair. The presented token is rotated away; presenting a
    rotated token again revokes every token of its family (RFC 9700 §4.14.2)."""

    def __init__(
        self, unit_of_work: UowFactory, tokens: AccessTokens, verdicts: AuthVerdicts, clock: Clock
    ) -> None:
        self._uow = unit_of_work
        self._tokens = tokens
        self._verdicts = verdicts
        self._clock = clock

    async def __call__(self, refresh_token: str, origin: RequestOrigin) -> SignedIn:
        now = self._clock.now()
        async with self._uow() as uow:
            current = await uow.sessions.get_by_refresh_token_hash(secret_digest(refresh_token))
            if current is None:
                raise Unauthorized("the refresh token is not known")
            if current.revoked_at is not None or current.is_expired(now):
                raise Unauthorized("the session has ended; sign in again")
            if not current.is_reuse() and await uow.sessions.mark_rotated(current.id, now):
                user = await uow.users.get(current.user_id)
                if user is None or not user.is_active:
                    raise Unauthorized("the account is suspended")
                token = new_refresh_token()
                _, successor = current.rotate(secret_digest(token), now, REFRESH_LIFETIME, origin=origin)
                await uow.sessions.add(successor)
                await uow.commit()
                return tokens_for(self._tokens, successor, user, token, now)
        await self._revoke_family(current, now, origin)
        raise RefreshReused("the refresh token was already used; every token of its session is revoked")

    async def _revoke_family(self, reused: Session, now: datetime, origin: RequestOrigin) -> None:
        async with self._verdicts.sessions.changing(str(reused.family_id)), self._uow() as uow:
            revoked = await uow.sessions.revoke_family(reused.family_id, now)
            await uow.audit_log.add(
                _audit(
                    REFRESH_REUSED, reused.user_id, None, reused.family_id, now, origin, {"revoked": revoked}
                )
            )
            await uow.commit()


class SignOut:
    """Ends the caller's session (a bearer token's); its access tokens stop working at once."""

    def __init__(self, unit_of_work: UowFactory, verdicts: AuthVerdicts, clock: Clock) -> None:
        self._uow = unit_of_work
        self._verdicts = verdicts
        self._clock = clock

    async def __call__(self, principal: Principal, origin: RequestOrigin) -> None:
        if principal.session_id is None:
            return
        await end_session(
            self._uow, self._verdicts, principal, principal.session_id, SIGNED_OUT, self._clock.now(), origin
        )


class RevokeSession:
    """Ends one of the caller's own sessions by id; another user's session is not found."""

    def __init__(self, unit_of_work: UowFactory, verdicts: AuthVerdicts, clock: Clock) -> None:
        self._uow = unit_of_work
        self._verdicts = verdicts
        self._clock = clock

    async def __call__(self, principal: Principal, session_id: UUID, origin: RequestOrigin) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            current = await uow.sessions.find_open_in_family(session_id, now)
        if current is None or current.user_id != principal.user_id:
            raise NotFound("no such session")
        await end_session(self._uow, self._verdicts, principal, session_id, SESSION_REVOKED, now, origin)


async def end_session(
    unit_of_work: UowFactory,
    verdicts: AuthVerdicts,
    principal: Principal,
    session_id: UUID,
    action: str,
    now: datetime,
    origin: RequestOrigin,
) -> None:
    async with verdicts.sessions.changing(str(session_id)), unit_of_work() as uow:
        await uow.sessions.revoke_family(session_id, now)
        await uow.audit_log.add(_audit(action, principal.user_id, principal.pubkey, session_id, now, origin))
        await uow.commit()


class SignOutEverywhere:
    """Ends every session of the caller."""

    def __init__(self, unit_of_work: UowFactory, verdicts: AuthVerdicts, clock: Clock) -> None:
        self._uow = unit_of_work
        self._verdicts = verdicts
        self._clock = clock

    async def __call__(self, principal: Principal, origin: RequestOrigin) -> None:
        now = self._clock.now()
        ending = ending_every_session(self._uow, self._verdicts, principal.user_id, now)
        async with ending as revoke_all, self._uow() as uow:
            revoked = await revoke_all(uow)
            await uow.audit_log.add(
                AuditLog.record(
                    action=SIGNED_OUT_EVERYWHERE,
                    now=now,
                    actor=Actor(user_id=principal.user_id, pubkey=principal.pubkey, origin=origin),
                    target=("user", principal.user_id),
                    details={"revoked": revoked},
                )
            )
            await uow.commit()


class SessionView(Struct, frozen=True, kw_only=True):
    id: UUID
    created_at: datetime
    last_used_at: datetime
    user_agent: str | None
    ip: str | None
    current: bool


class ListSessions:
    """The caller's open sessions, the latest begun first; `current` marks the one making the request.
    A session began at its sign-in and was last used at its latest refresh."""

    def __init__(self, unit_of_work: UowFactory, clock: Clock) -> None:
        self._uow = unit_of_work
        self._clock = clock

    async def __call__(self, principal: Principal) -> list[SessionView]:
        async with self._uow() as uow:
            sessions = await uow.sessions.list_open_for_user(principal.user_id, self._clock.now())
        return [
            SessionView(
                id=s.latest.family_id,
                created_at=s.started_at,
                last_used_at=s.latest.last_used_at,
                user_agent=s.latest.user_agent,
                ip=s.latest.ip,
                current=s.latest.family_id == principal.session_id,
            )
            for s in sessions
        ]
