"""Ports of authentication: access tokens and API key verification."""

from datetime import datetime
from typing import Protocol
from uuid import UUID

from msgspec import Struct


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
