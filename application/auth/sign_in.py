"""Nostr sign-in: issue a challenge, then exchange a signed answer for a session."""

from contextlib import suppress
from datetime import datetime, timedelta

from msgspec import Struct

from application.auth.accounts import find_or_register
from application.auth.auth_verdicts import AuthVerdicts
from application.auth.sessions import SignedIn, start_session
from domain.audit.entries import NO_ORIGIN, RequestOrigin
from domain.auth.challenges import AuthChallenge
from domain.auth.ports import AccessTokens
from domain.auth.sign_in import SignInRefused, check_sign_in_event
from domain.nostr.event import Event
from domain.shared.cache import CacheUnavailable
from domain.shared.clock import Clock
from domain.shared.errors import Conflict, Forbidden
from domain.shared.unit_of_work import UowFactory

CHALLENGE_LIFETIME = timedelta(minutes=5)


class IssueChallenge:
    """A new single-use sign-in challenge (256 random bits) that expires in five minutes."""

    def __init__(self, unit_of_work: UowFactory, clock: Clock) -> None:
        self._uow = unit_of_work
        self._clock = clock

    async def __call__(self) -> AuthChallenge:
        challenge = AuthChallenge.issue(self._clock.now(), CHALLENGE_LIFETIME)
        async with self._uow() as uow:
            await uow.auth_challenges.add(challenge)
            await uow.commit()
        return challenge


class SignInRequest(Struct, frozen=True, kw_only=True):
    event: Event
    origin: RequestOrigin = NO_ORIGIN


class Login:
    """Checks the signed challenge answer, consumes the challenge, finds or makes the account and
    opens a session, all in one transaction with its audit entry."""

    def __init__(
        self,
        *,
        unit_of_work: UowFactory,
        tokens: AccessTokens,
        verdicts: AuthVerdicts,
        clock: Clock,
        public_url: str,
    ) -> None:
        self._uow = unit_of_work
        self._tokens = tokens
        self._verdicts = verdicts
        self._clock = clock
        self._public_url = public_url

    async def __call__(self, request: SignInRequest) -> SignedIn:
        now = self._clock.now()
        challenge = check_sign_in_event(request.event, public_url=self._public_url, now=now)
        pubkey = request.event.pubkey
        for attempt in range(2):
            try:
                signed_in = await self._sign_in(challenge, request, now)
                break
            except Conflict:
                # Another sign-in made this pubkey's account at the same moment: ours rolled back,
                # the challenge included; the second attempt finds the account.
                if attempt:
                    raise
        # A cached "no account for this pubkey" must not outlive the registration; if the cache is
        # down, NIP-98 meets the account when it tries to register it again.
        with suppress(CacheUnavailable):
            await self._verdicts.pubkeys.invalidate(pubkey)
        return signed_in

    async def _sign_in(self, challenge: str, request: SignInRequest, now: datetime) -> SignedIn:
        pubkey = request.event.pubkey
        async with self._uow() as uow:
            if await uow.auth_challenges.consume(challenge, now) is None:
                raise SignInRefused("sign-in: the challenge is unknown, already used or expired")
            user = await find_or_register(uow, pubkey, now, origin=request.origin)
            if not user.is_active:
                raise Forbidden("the account is suspended")
            signed_in = await start_session(
                uow, self._tokens, user, now, origin=request.origin, method="nostr"
            )
            await uow.commit()
        return signed_in
