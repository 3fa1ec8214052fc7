"""The cached answers authentication relies on; each is kept in a verdict namespace."""

from datetime import datetime
from uuid import UUID

from msgspec import Struct

from domain.auth.users import User, UserRole, UserStatus

ACCOUNT_NAMESPACE = "account"
SESSION_NAMESPACE = "session"
PUBKEY_NAMESPACE = "pubkey"


class AccountVerdict(Struct, frozen=True, kw_only=True):
    """What authentication needs of a user; `exists` is False for an unknown id."""

    exists: bool
    pubkey: str = ""
    role: UserRole = UserRole.USER
    active: bool = False

    @classmethod
    def of(cls, user: User | None) -> "AccountVerdict":
        if user is None:
            return cls(exists=False)
        return cls(exists=True, pubkey=user.pubkey, role=user.role, active=user.status is UserStatus.ACTIVE)


class SessionVerdict(Struct, frozen=True, kw_only=True):
    """Whether a session (a refresh-token family) is open: its user and until when; None if ended."""

    user_id: UUID | None = None
    open_until: datetime | None = None

    def is_open_for(self, user_id: UUID, now: datetime) -> bool:
        return self.user_id == user_id and self.open_until is not None and now < self.open_until


class PubkeyVerdict(Struct, frozen=True, kw_only=True):
    """The account of a Nostr pubkey, if there is one."""

    user_id: UUID | None = None
