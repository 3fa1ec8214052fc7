"""Authenticate: who is calling, from the request's credential, without PostgreSQL when warm."""

from uuid import UUID

from msgspec import Struct

from application.auth.accounts import registered
from application.auth.auth_verdicts import AuthVerdicts
from domain.audit.entries import NO_ORIGIN, RequestOrigin
from domain.auth.nip98 import WINDOW_SECONDS, Nip98Refused, check_http_auth, decode_http_auth
from domain.auth.ports import AccessTokens, ApiKeyVerifier
from domain.auth.principal import CredentialKind, Principal
from domain.shared.cache import Cache
from domain.shared.clock import Clock
from domain.shared.errors import Unauthorized
from domain.shared.unit_of_work import UowFactory

REPLAY_KEY = "nip98-seen:"
# A used event id is remembered for longer than it could pass the created_at window either way.
REPLAY_TTL = 2 * WINDOW_SECONDS + 1


class Credentials(Struct, frozen=True, kw_only=True):
    """What a request presents. `url` is the absolute URL rebuilt from the configured public URL."""

    method: str
    url: str
    authorization: str | None = None
    api_key: str | None = None
    body: bytes = b""
    origin: RequestOrigin = NO_ORIGIN

    @property
    def presented(self) -> bool:
        return bool(self.authorization) or bool(self.api_key)


class Authenticate:
    """Turns a bearer token, a NIP-98 event or an API key into a Principal; None when none is given.

    Raises Unauthorized saying which check failed, and CacheUnavailable when the NIP-98 replay
    store cannot answer (replay protection fails closed).
    """

    def __init__(
        self,
        *,
        tokens: AccessTokens,
        api_keys: ApiKeyVerifier,
        verdicts: AuthVerdicts,
        cache: Cache,
        unit_of_work: UowFactory,
        clock: Clock,
    ) -> None:
        self._tokens = tokens
        self._api_keys = api_keys
        self._verdicts = verdicts
        self._cache = cache
        self._uow = unit_of_work
        self._clock = clock

    async def __call__(self, credentials: Credentials) -> Principal | None:
        if credentials.authorization and credentials.api_key:
            raise Unauthorized("present one credential: either Authorization or X-API-Key")
        if credentials.api_key:
            return await self._api_key(credentials.api_key)
        if not credentials.authorization:
            return None
        scheme, _, value = credentials.authorization.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "bearer" and value.strip():
            return await self._bearer(value.strip())
        if scheme == "nostr" and value.strip():
            return await self._nostr(value.strip(), credentials)
        raise Unauthorized("the Authorization header must be 'Bearer <token>' or 'Nostr <base64 event>'")

    async def _bearer(self, token: str) -> Principal:
        now = self._clock.now()
        claims = self._tokens.verify(token, now)
        session = await self._verdicts.session(claims.session_id)
        if not session.is_open_for(claims.user_id, now):
            raise Unauthorized("the session has ended; sign in again")
        return await self._principal(claims.user_id, CredentialKind.BEARER, session_id=claims.session_id)

    async def _nostr(self, encoded: str, credentials: Credentials) -> Principal:
        now = self._clock.now()
        event = decode_http_auth(encoded)
        check_http_auth(event, url=credentials.url, method=credentials.method, body=credentials.body, now=now)
        if not await self._cache.set_if_absent(REPLAY_KEY + event.id, b"1", REPLAY_TTL):
            raise Nip98Refused("NIP-98: this event was already used")
        known = await self._verdicts.pubkey(event.pubkey)
        user_id = known.user_id
        if user_id is None:
            async with self._verdicts.pubkeys.changing(event.pubkey):
                user = await registered(self._uow, event.pubkey, now, origin=credentials.origin)
            user_id = user.id
        return await self._principal(user_id, CredentialKind.NOSTR)

    async def _api_key(self, presented: str) -> Principal:
        grant = await self._api_keys.verify(presented)
        return await self._principal(
            grant.user_id, CredentialKind.API_KEY, api_key_id=grant.api_key_id, scopes=grant.scopes
        )

    async def _principal(
        self,
        user_id: UUID,
        credential: CredentialKind,
        *,
        session_id: UUID | None = None,
        api_key_id: UUID | None = None,
        scopes: frozenset[str] = frozenset(),
    ) -> Principal:
        account = await self._verdicts.account(user_id)
        if not account.exists:
            raise Unauthorized("the account no longer exists")
        if not account.active:
            raise Unauthorized("the account is suspended")
        return Principal(
            user_id=user_id,
            pubkey=account.pubkey,
            role=account.role,
            credential=credential,
            session_id=session_id,
            api_key_id=api_key_id,
            scopes=scopes,
        )
