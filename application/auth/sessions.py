"""Opening sessions: a refresh-token family in PostgreSQL and a short-lived access token."""

import secrets
from datetime import datetime, timedelta
from uuid import UUID

from msgspec import Struct

from domain.audit.entries import Actor, AuditLog, RequestOrigin
from domain.auth.ports import AccessTokens
from domain.auth.sessions import Session
from domain.auth.users import User
from domain.shared.hashing import secret_digest
from domain.shared.unit_of_work import UnitOfWork

REFRESH_TOKEN_PREFIX = "nid_rt_"  # noqa: S105 - a public prefix, not a secret
REFRESH_LIFETIME = timedelta(days=30)  # absolute: from sign-in, never extended by a refresh
SIGNED_IN = "auth.sign_in"


def new_refresh_token() -> str:
    """An opaque refresh token: a recognisable prefix and 256 random bits."""
    return REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)


class SignedIn(Struct, frozen=True, kw_only=True):
    """The tokens handed to a client that signed in or refreshed, and whose they are."""

    access_token: str
    expires_in: int
    refresh_token: str
    session_id: UUID  # the family id: the `sid` of its access tokens
    user: User


def tokens_for(
    tokens: AccessTokens, session: Session, user: User, refresh_token: str, now: datetime
) -> SignedIn:
    return SignedIn(
        access_token=tokens.issue(user_id=user.id, session_id=session.family_id, now=now),
        expires_in=tokens.lifetime_seconds,
        refresh_token=refresh_token,
        session_id=session.family_id,
        user=user,
    )


async def start_session(
    uow: UnitOfWork,
    tokens: AccessTokens,
    user: User,
    now: datetime,
    *,
    origin: RequestOrigin,
    method: str,
    lifetime: timedelta = REFRESH_LIFETIME,
) -> SignedIn:
    """Opens a session for the user inside the caller's transaction, with its audit entry
    (`method`: how the user proved who they are)."""
    refresh_token = new_refresh_token()
    session = Session.start(
        user_id=user.id,
        refresh_token_hash=secret_digest(refresh_token),
        now=now,
        lifetime=lifetime,
        origin=origin,
    )
    await uow.sessions.add(session)
    await uow.audit_log.add(
        AuditLog.record(
            action=SIGNED_IN,
            now=now,
            actor=Actor(user_id=user.id, pubkey=user.pubkey, origin=origin),
            target=("session", session.family_id),
            details={"method": method},
        )
    )
    return tokens_for(tokens, session, user, refresh_token, now)
