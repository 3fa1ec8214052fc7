"""LNURL-auth (LUD-04): a wallet signs a k1 to sign in to the account it was linked to, or to link
itself to the signed-in account; the browser that asked polls for the outcome.

The k1 store is PostgreSQL (LnurlSession): a k1 is redeemed by one atomic update, so of concurrent
callbacks with one k1 exactly one succeeds, and a login's tokens are claimed once, in the same
transaction that opens the session. When the store cannot answer the request fails (503): nothing
is redeemed without it.

The k1 is printed in the QR code, so it is public: the browser polls with a poll secret handed only
to it in the start answer (stored as its digest), and only a GET claims tokens. Linking a wallet
gives lasting access to the account, so it needs a fresh proof of the account's key: the start of
a link must be signed with NIP-98, not merely carry a session's (possibly stolen) access token.
"""

from datetime import timedelta
from urllib.parse import urlencode

from msgspec import Struct

from application.auth.sessions import SignedIn, start_session
from domain.audit.entries import Actor, AuditLog, RequestOrigin
from domain.auth.lnurl import LnurlAction, LnurlSession, LnurlStatus, LnurlWallet
from domain.auth.lnurl_protocol import (
    UNLINKED_WALLET,
    LnurlRefused,
    encode_lnurl,
    parse_k1,
    verify_wallet_signature,
)
from domain.auth.ports import AccessTokens
from domain.auth.principal import CredentialKind, Principal
from domain.shared.clock import Clock
from domain.shared.errors import Conflict, Forbidden, NotFound, Unauthorized
from domain.shared.hashing import secret_digest
from domain.shared.unit_of_work import UowFactory

K1_LIFETIME = timedelta(minutes=5)
CALLBACK_PATH = "/api/v1/auth/lnurl/callback"
LNURL_LINKED = "auth.lnurl_linked"
LINK_NEEDS_NIP98 = (
    "linking a wallet needs a fresh proof of the account's key: sign this request with NIP-98 "
    "(Authorization: Nostr <base64 kind-27235 event>) instead of a session's access token"
)


class LnurlChallenge(Struct, frozen=True, kw_only=True):
    session: LnurlSession
    poll_secret: str  # the browser's alone: never part of the LNURL
    lnurl: str
    callback_url: str


class LnurlOutcome(Struct, frozen=True, kw_only=True):
    status: LnurlStatus
    tokens: SignedIn | None = None


class StartLnurlAuth:
    """A new k1 for a wallet to sign and a poll secret for the browser: `login` for anyone, `link`
    for the signed-in user proving the account key afresh (NIP-98); 403 otherwise."""

    def __init__(self, unit_of_work: UowFactory, clock: Clock, public_url: str) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._public_url = public_url.rstrip("/")

    async def __call__(self, action: LnurlAction, principal: Principal | None) -> LnurlChallenge:
        if action is LnurlAction.LINK:
            if principal is None:
                raise Unauthorized("linking a wallet needs the signed-in user")
            if principal.is_machine:
                raise Forbidden("an API key cannot link a wallet")
            if principal.credential is not CredentialKind.NOSTR:
                raise Forbidden(LINK_NEEDS_NIP98)
        user_id = principal.user_id if action is LnurlAction.LINK and principal is not None else None
        session, poll_secret = LnurlSession.start(action, self._clock.now(), K1_LIFETIME, user_id=user_id)
        async with self._uow() as uow:
            await uow.lnurl_sessions.add(session)
            await uow.commit()
        query = urlencode({"tag": "login", "k1": session.k1, "action": action.value})
        callback_url = f"{self._public_url}{CALLBACK_PATH}?{query}"
        return LnurlChallenge(
            session=session,
            poll_secret=poll_secret,
            lnurl=encode_lnurl(callback_url),
            callback_url=callback_url,
        )


class RedeemLnurlAuth:
    """The wallet's callback: checks the signature and redeems the k1 once; raises LnurlRefused."""

    def __init__(self, unit_of_work: UowFactory, clock: Clock) -> None:
        self._uow = unit_of_work
        self._clock = clock

    async def __call__(
        self, *, tag: str | None, k1: str | None, sig: str | None, key: str | None, origin: RequestOrigin
    ) -> None:
        if tag != "login":
            raise LnurlRefused("tag must be login")
        if not k1 or not sig or not key:
            raise LnurlRefused("k1, sig and key are required")
        k1 = parse_k1(k1)
        linking_key = verify_wallet_signature(k1, sig, key)
        now = self._clock.now()
        async with self._uow() as uow:
            session = await uow.lnurl_sessions.get_by_k1(k1)
            if session is None:
                raise LnurlRefused("unknown k1")
            status = session.status_at(now)
            if status is LnurlStatus.OK:
                raise LnurlRefused("k1 was already used: ask for a new one")
            if status is LnurlStatus.EXPIRED:
                raise LnurlRefused("k1 has expired: ask for a new one")
            wallet = await uow.lnurl_wallets.get_by_linking_key(linking_key)
            if session.action is LnurlAction.LOGIN:
                user = await uow.users.get(wallet.user_id) if wallet is not None else None
                if wallet is None or user is None:
                    raise LnurlRefused(UNLINKED_WALLET)
            else:
                assert session.user_id is not None
                user = await uow.users.get(session.user_id)
                if user is None:
                    raise LnurlRefused("the account that asked to link this wallet no longer exists")
                if wallet is not None and wallet.user_id != user.id:
                    raise LnurlRefused("this wallet is linked to another account")
                if wallet is not None:
                    raise LnurlRefused("this wallet is already linked to this account")
            if not user.is_active:
                raise LnurlRefused("the account is suspended")
            if await uow.lnurl_sessions.complete(k1, linking_key, user.id, now) is None:
                raise LnurlRefused("k1 was already used or has expired: ask for a new one")
            if session.action is LnurlAction.LINK:
                linked = LnurlWallet.link(user.id, linking_key, now)
                try:
                    await uow.lnurl_wallets.add(linked)
                except Conflict:
                    raise LnurlRefused("this wallet is linked to another account") from None
                await uow.audit_log.add(
                    AuditLog.record(
                        action=LNURL_LINKED,
                        now=now,
                        actor=Actor(user_id=user.id, pubkey=user.pubkey, origin=origin),
                        target=("lnurl_wallet", linked.id),
                        details={"linking_key": linking_key},
                    )
                )
            else:
                assert wallet is not None
                await uow.lnurl_wallets.mark_used(wallet.id, now)
            await uow.commit()


class PollLnurlAuth:
    """The browser's poll, by the start answer's poll secret: pending, ok or expired; a login's
    tokens come with the first `ok` asked with `claim` (a GET) only."""

    def __init__(self, unit_of_work: UowFactory, tokens: AccessTokens, clock: Clock) -> None:
        self._uow = unit_of_work
        self._tokens = tokens
        self._clock = clock

    async def __call__(self, poll_secret: str, *, claim: bool, origin: RequestOrigin) -> LnurlOutcome:
        now = self._clock.now()
        async with self._uow() as uow:
            session = await uow.lnurl_sessions.get_by_poll_secret_hash(secret_digest(poll_secret))
            if session is None:
                raise NotFound("no such LNURL-auth session")
            status = session.status_at(now)
            if not claim or status is not LnurlStatus.OK or session.action is not LnurlAction.LOGIN:
                return LnurlOutcome(status=status)
            if session.tokens_claimed_at is not None or session.user_id is None:
                return LnurlOutcome(status=status)
            user = await uow.users.get(session.user_id)
            if user is None or not user.is_active:
                return LnurlOutcome(status=status)
            if await uow.lnurl_sessions.claim_tokens(session.k1, now) is None:
                return LnurlOutcome(status=status)
            signed_in = await start_session(uow, self._tokens, user, now, origin=origin, method="lnurl")
            wallet = await uow.lnurl_wallets.get_by_linking_key(session.linking_key or "")
            if wallet is not None and wallet.user_id == user.id:
                # A wallet's session may ask for the account's key to be recovered (key rotation).
                await uow.lnurl_wallets.add_session(wallet.id, signed_in.session_id)
            await uow.commit()
        return LnurlOutcome(status=status, tokens=signed_in)
