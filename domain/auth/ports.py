"""Ports of authentication: access tokens, API key verification, and the repositories of accounts,
sessions, sign-in challenges and LNURL-auth (semantics in domain.shared.unit_of_work)."""

from datetime import datetime
from typing import Protocol
from uuid import UUID

from msgspec import Struct

from domain.auth.challenges import AuthChallenge
from domain.auth.key_rotation import KeyRecovery
from domain.auth.lnurl import LnurlSession, LnurlWallet
from domain.auth.sessions import OpenSession, Session
from domain.auth.users import User
from domain.shared.paging import PageCursor


class AccessClaims(Struct, frozen=True, kw_only=True):
    """What a verified access token says: whose session it belongs to."""

    user_id: UUID
    session_id: UUID
    issued_at: datetime
    expires_at: datetime


class AccessTokens(Protocol):
    """Short-lived signed access tokens of a session."""

    @property
    def lifetime_seconds(self) -> int: ...

    def issue(self, *, user_id: UUID, session_id: UUID, now: datetime) -> str:
        """A new access token for the session, valid for `lifetime_seconds` from `now`."""
        ...

    def verify(self, token: str, now: datetime) -> AccessClaims:
        """The claims of a valid access token; raises Unauthorized saying what is wrong."""
        ...


class ApiKeyGrant(Struct, frozen=True, kw_only=True):
    """A valid, unrevoked API key: whose it is and what it may do."""

    api_key_id: UUID
    user_id: UUID
    scopes: frozenset[str]
    # The owner's plan's API rate (requests per minute); None: the service's default applies.
    requests_per_minute: int | None = None


class ApiKeyVerifier(Protocol):
    """Checks a presented API key (the `X-API-Key` header) without a database round trip per call."""

    async def verify(self, presented_key: str) -> ApiKeyGrant:
        """The key's grant; raises Unauthorized when the key is unknown, malformed or revoked."""
        ...

    async def verify_held(self, presented_key: str) -> ApiKeyGrant | None:
        """As `verify`, from what this process already holds; None when the key would have to be
        looked up (in the cache or the database). Callers charge such a lookup to the client first."""
        ...


class UserRepository(Protocol):
    """Accounts, by id and by Nostr pubkey."""

    async def add(self, user: User) -> None: ...

    async def get(self, user_id: UUID) -> User | None: ...

    async def get_by_pubkey(self, pubkey: str) -> User | None: ...

    async def get_for_update(self, user_id: UUID) -> User | None:
        """The user, its row locked to the end of the transaction (serialises quota checks)."""
        ...

    async def update(self, user: User) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...

    async def search(self, *, pubkey_prefix: str | None, after: PageCursor | None, limit: int) -> list[User]:
        """Users oldest first (by created_at, id), optionally whose pubkey starts with a hex prefix."""
        ...


class SessionRepository(Protocol):
    """Refresh-token sessions, one row per token, grouped in rotation families."""

    async def add(self, session: Session) -> None: ...

    async def get(self, session_id: UUID) -> Session | None: ...

    async def get_by_refresh_token_hash(self, refresh_token_hash: str) -> Session | None: ...

    async def update(self, session: Session) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...

    async def list_open_for_user(self, user_id: UUID, now: datetime) -> list[OpenSession]:
        """The user's open sessions (a usable token: not rotated, revoked or expired) with when each
        family began, the latest begun first."""
        ...

    async def find_open_in_family(self, family_id: UUID, now: datetime) -> Session | None:
        """The family's usable session (not rotated, revoked or expired), if it has one."""
        ...

    async def mark_rotated(self, session_id: UUID, now: datetime) -> bool:
        """Atomically marks a usable session rotated (and used at `now`); False when it was
        already rotated, revoked or expired. Of concurrent calls for one session, at most one wins."""
        ...

    async def revoke_family(self, family_id: UUID, now: datetime) -> int:
        """Revokes every not-yet-revoked session of the family; returns how many."""
        ...

    async def revoke_all_for_user(self, user_id: UUID, now: datetime) -> int:
        """Revokes every not-yet-revoked session of the user; returns how many."""
        ...


class AuthChallengeRepository(Protocol):
    """Nostr sign-in challenges."""

    async def add(self, challenge: AuthChallenge) -> None: ...

    async def consume(self, challenge: str, now: datetime) -> AuthChallenge | None:
        """Atomically marks an unused, unexpired challenge used and returns it; otherwise None.

        Of any number of concurrent calls with the same challenge, at most one gets it.
        """
        ...

    async def delete_expired(self, before: datetime) -> int:
        """Removes challenges that expired before the given time; returns how many."""
        ...


class LnurlSessionRepository(Protocol):
    """LNURL-auth sessions, by their k1 (the wallet's) or the digest of their poll secret (the browser's)."""

    async def add(self, session: LnurlSession) -> None: ...

    async def get_by_k1(self, k1: str) -> LnurlSession | None: ...

    async def get_by_poll_secret_hash(self, poll_secret_hash: str) -> LnurlSession | None: ...

    async def complete(self, k1: str, linking_key: str, user_id: UUID, now: datetime) -> LnurlSession | None:
        """Atomically completes a pending, unexpired session; None when it is unknown, expired,
        already completed, or started by another user. Of concurrent calls at most one succeeds."""
        ...

    async def claim_tokens(self, k1: str, now: datetime) -> LnurlSession | None:
        """Atomically marks a completed session's tokens as handed out; None if not completed or
        already claimed."""
        ...

    async def delete_expired(self, before: datetime) -> int:
        """Removes sessions that expired before the given time; returns how many."""
        ...


class LnurlWalletRepository(Protocol):
    """The LNURL-auth wallets linked to accounts; a linking key belongs to at most one account."""

    async def add(self, wallet: LnurlWallet) -> None:
        """Links the wallet; raises Conflict when its linking key is already linked."""
        ...

    async def get_by_linking_key(self, linking_key: str) -> LnurlWallet | None: ...

    async def list_for_user(self, user_id: UUID) -> list[LnurlWallet]:
        """The user's wallets, oldest link first."""
        ...

    async def remove(self, user_id: UUID, wallet_id: UUID) -> LnurlWallet | None:
        """Unlinks one of the user's wallets; None when the user has no wallet with this id."""
        ...

    async def mark_used(self, wallet_id: UUID, now: datetime) -> None: ...

    async def add_session(self, wallet_id: UUID, family_id: UUID) -> None:
        """Records that the wallet's sign-in opened the session (its refresh-token family)."""
        ...

    async def get_by_session(self, family_id: UUID) -> LnurlWallet | None:
        """The still-linked wallet whose sign-in opened the session; None for any other session."""
        ...


class KeyRecoveryRepository(Protocol):
    """Linked wallets' requests to move their account to a new key; at most one pending per account."""

    async def add(self, recovery: KeyRecovery) -> None:
        """Stores a pending request; raises Conflict when the account has one pending already."""
        ...

    async def get_pending_for_user(self, user_id: UUID) -> KeyRecovery | None: ...

    async def list_due(self, now: datetime, limit: int) -> list[KeyRecovery]:
        """Pending requests whose waiting period is over, earliest first."""
        ...

    async def update(self, recovery: KeyRecovery) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...

    async def list_unnotified(self, limit: int) -> list[KeyRecovery]:
        """Pending requests the account's key was not told of, oldest first."""
        ...

    async def claim_notification(self, recovery_id: UUID, now: datetime) -> bool:
        """Atomically marks a pending request as told (`notified_at`); False when it was already
        claimed or is no longer pending. Of concurrent calls at most one is True."""
        ...

    async def release_notification(self, recovery_id: UUID) -> None:
        """The message could not be sent: the next run claims it again."""
        ...
