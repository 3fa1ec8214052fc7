"""LNURL-auth (LUD-04): sessions (a k1 the wallet signs, polled by the browser that asked for it with
a secret of its own) and the wallets linked to an account."""

import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from msgspec import Struct, structs

from domain.auth.users import parse_linking_key
from domain.shared.errors import InvalidInput, InvalidTransition
from domain.shared.hashing import is_secret_digest, secret_digest

K1_SHAPE = re.compile(r"[0-9a-f]{64}")
POLL_SECRET_PREFIX = "nid_lp_"  # noqa: S105 - a public prefix, not a secret
KEY_PREFIX_LENGTH = 10


def new_k1() -> str:
    """32 random bytes in hex, as LUD-04 asks."""
    return secrets.token_hex(32)


def new_poll_secret() -> str:
    """The browser's secret for polling a session: 256 random bits, never part of the LNURL (the k1
    is printed in a QR code, so it cannot be what hands out tokens)."""
    return POLL_SECRET_PREFIX + secrets.token_urlsafe(32)


class LnurlAction(StrEnum):
    LOGIN = "login"
    LINK = "link"


class LnurlStatus(StrEnum):
    PENDING = "pending"
    OK = "ok"
    EXPIRED = "expired"


class LnurlSession(Struct, frozen=True, kw_only=True):
    id: UUID
    k1: str
    action: LnurlAction
    poll_secret_hash: str
    user_id: UUID | None = None
    linking_key: str | None = None
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None = None
    tokens_claimed_at: datetime | None = None

    def __post_init__(self) -> None:
        if K1_SHAPE.fullmatch(self.k1) is None:
            raise InvalidInput("k1 must be 64 lowercase hex characters", {"k1": "invalid"})
        if not is_secret_digest(self.poll_secret_hash):
            raise InvalidInput("poll_secret_hash must be a SHA-256 hex digest")
        if self.action is LnurlAction.LINK and self.user_id is None:
            raise InvalidInput("linking a wallet needs the signed-in user")
        if self.expires_at <= self.created_at:
            raise InvalidInput("an LNURL session must expire after it starts")

    @classmethod
    def start(
        cls, action: LnurlAction, now: datetime, ttl: timedelta, user_id: UUID | None = None
    ) -> "tuple[LnurlSession, str]":
        """A new session and its poll secret, which only the session's digest of it remembers."""
        poll_secret = new_poll_secret()
        session = cls(
            id=uuid4(),
            k1=new_k1(),
            action=action,
            poll_secret_hash=secret_digest(poll_secret),
            user_id=user_id,
            created_at=now,
            expires_at=now + ttl,
        )
        return session, poll_secret

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def status_at(self, now: datetime) -> LnurlStatus:
        if self.completed_at is not None:
            return LnurlStatus.OK
        return LnurlStatus.EXPIRED if self.is_expired(now) else LnurlStatus.PENDING

    def complete(self, linking_key: str, user_id: UUID, now: datetime) -> "LnurlSession":
        """The wallet signed k1: records its key and the account it signs in to (or is linked to)."""
        if self.status_at(now) is not LnurlStatus.PENDING:
            raise InvalidTransition(f"LNURL session is {self.status_at(now).value}, not pending")
        if self.user_id is not None and self.user_id != user_id:
            raise InvalidTransition("LNURL session belongs to another user")
        return structs.replace(
            self, linking_key=parse_linking_key(linking_key), user_id=user_id, completed_at=now
        )

    def claim_tokens(self, now: datetime) -> "LnurlSession":
        """Tokens of a completed login are handed out once."""
        if self.completed_at is None:
            raise InvalidTransition("LNURL session is not completed")
        if self.tokens_claimed_at is not None:
            raise InvalidTransition("tokens were already claimed")
        return structs.replace(self, tokens_claimed_at=now)


class LnurlWallet(Struct, frozen=True, kw_only=True):
    """A wallet linked to an account: its LUD-04 linking key signs that account in. An account may
    link several (a wallet derives a different key for each service, so people end up with more)."""

    id: UUID
    user_id: UUID
    linking_key: str
    linked_at: datetime
    last_used_at: datetime | None = None

    def __post_init__(self) -> None:
        parse_linking_key(self.linking_key)

    @classmethod
    def link(cls, user_id: UUID, linking_key: str, now: datetime) -> "LnurlWallet":
        return cls(id=uuid4(), user_id=user_id, linking_key=linking_key, linked_at=now)

    @property
    def key_prefix(self) -> str:
        """Enough of the public linking key for its owner to tell wallets apart."""
        return self.linking_key[:KEY_PREFIX_LENGTH]
