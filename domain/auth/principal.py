"""The authenticated caller of a request, whichever credential it presented."""

from enum import StrEnum
from uuid import UUID

from msgspec import Struct

from domain.auth.users import UserRole


class CredentialKind(StrEnum):
    BEARER = "bearer"  # a session's access token
    NOSTR = "nostr"  # a NIP-98 signed event
    API_KEY = "api_key"


class Principal(Struct, frozen=True, kw_only=True):
    """A signed-in user (session or NIP-98) or a machine client (API key) acting for its owner.

    `session_id` names the session (its refresh-token family) of a bearer token; `api_key_id` and
    `scopes` are set only for an API key. A user acting through a session or NIP-98 holds every
    scope of their own account; an API key holds only the scopes it was given.
    """

    user_id: UUID
    pubkey: str
    role: UserRole
    credential: CredentialKind
    session_id: UUID | None = None
    api_key_id: UUID | None = None
    scopes: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return self.role is UserRole.ADMIN and self.credential is not CredentialKind.API_KEY

    @property
    def is_machine(self) -> bool:
        return self.credential is CredentialKind.API_KEY

    def holds(self, scope: str) -> bool:
        """True when this principal may act within the scope."""
        return not self.is_machine or scope in self.scopes
