"""Sign-in sessions: one row per refresh token, rotated within a family (RFC 9700 §4.14.2).

Each refresh replaces the presented token by a new one in the same family. Presenting a token
that was already rotated away is reuse: the whole family is revoked. A family's lifetime is
absolute: it ends when its first token expires (its sign-in plus the lifetime), however often and
however promptly it is refreshed.
"""

from datetime import datetime, timedelta
from uuid import UUID, uuid4

from msgspec import Struct, structs

from domain.audit.entries import NO_ORIGIN, RequestOrigin
from domain.shared.errors import InvalidInput, InvalidTransition
from domain.shared.hashing import is_secret_digest

MAX_USER_AGENT_LENGTH = 512


class Session(Struct, frozen=True, kw_only=True):
    id: UUID
    user_id: UUID
    family_id: UUID
    refresh_token_hash: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None
    user_agent: str | None = None
    ip: str | None = None

    def __post_init__(self) -> None:
        if not is_secret_digest(self.refresh_token_hash):
            raise InvalidInput("refresh_token_hash must be a SHA-256 hex digest")
        if self.expires_at <= self.created_at:
            raise InvalidInput("a session must expire after it starts")

    @classmethod
    def start(
        cls,
        *,
        user_id: UUID,
        refresh_token_hash: str,
        now: datetime,
        lifetime: timedelta,
        origin: RequestOrigin = NO_ORIGIN,
    ) -> "Session":
        """Opens a new family with its first refresh token."""
        return cls(
            id=uuid4(),
            user_id=user_id,
            family_id=uuid4(),
            refresh_token_hash=refresh_token_hash,
            created_at=now,
            expires_at=now + lifetime,
            last_used_at=now,
            user_agent=origin.user_agent[:MAX_USER_AGENT_LENGTH] if origin.user_agent else None,
            ip=origin.ip,
        )

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def is_usable(self, now: datetime) -> bool:
        """Its refresh token may be exchanged: neither rotated, revoked nor expired."""
        return self.rotated_at is None and self.revoked_at is None and not self.is_expired(now)

    def is_reuse(self) -> bool:
        """Presenting this token again means it leaked: it was already exchanged for a newer one."""
        return self.rotated_at is not None

    def rotate(
        self,
        new_refresh_token_hash: str,
        now: datetime,
        lifetime: timedelta,
        *,
        origin: RequestOrigin = NO_ORIGIN,
    ) -> "tuple[Session, Session]":
        """Exchanges this token for a new one in the same family: (this one rotated, the new one).
        The new one expires `lifetime` from now but never after this one (the family's end), and
        records the user agent and address presenting this one, else this one's."""
        if not self.is_usable(now):
            raise InvalidTransition("session is rotated, revoked or expired")
        successor = Session(
            id=uuid4(),
            user_id=self.user_id,
            family_id=self.family_id,
            refresh_token_hash=new_refresh_token_hash,
            created_at=now,
            expires_at=min(now + lifetime, self.expires_at),
            last_used_at=now,
            user_agent=(origin.user_agent or self.user_agent or "")[:MAX_USER_AGENT_LENGTH] or None,
            ip=origin.ip or self.ip,
        )
        return structs.replace(self, rotated_at=now, last_used_at=now), successor

    def revoke(self, now: datetime) -> "Session":
        """Revoked at the first revocation; revoking again changes nothing."""
        if self.revoked_at is not None:
            return self
        return structs.replace(self, revoked_at=now)


class OpenSession(Struct, frozen=True, kw_only=True):
    """A sign-in as its user sees it: the family's usable token, and when the family began."""

    latest: Session
    started_at: datetime
