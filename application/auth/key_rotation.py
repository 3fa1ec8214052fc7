"""Key rotation: an account moves to a new Nostr key and keeps its names, API keys, subscription
and wallets (they hang off the account's id).

With consent (`RotateKey`): the new key's sign-in event and the old key's, over one fresh challenge,
the old one naming the new key in a `p` tag. Without the old key (`RequestKeyRecovery`): a session
opened by a linked LNURL-auth wallet asks, and the jobs complete the move after RECOVERY_WAIT unless
the old key cancels it (`CancelKeyRecovery`), and the old key is told by direct message. Either way,
in one audited transaction: the account's key and its names' served key change, every session of the
account ends, and every process forgets what it held for the account, its old and new keys and its
names.
"""

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import datetime
from uuid import UUID

from msgspec import Struct, structs

from application.auth.auth_verdicts import AuthVerdicts
from application.auth.ending_every_session import ending_every_session
from application.direct_messages import SendDirectMessage
from application.jobs import EachAlone
from application.names.changes import NameChanges
from domain.audit.entries import NO_ORIGIN, Actor, AuditLog, RequestOrigin
from domain.auth.key_rotation import (
    KeyRecovery,
    KeyRecoveryStatus,
    KeyRotationRefused,
    check_consent,
    check_new_key_event,
    recovery_notice,
)
from domain.auth.lnurl import LnurlWallet
from domain.auth.principal import CredentialKind, Principal
from domain.auth.users import User
from domain.nostr.event import Event
from domain.nostr.nip19 import encode_npub
from domain.shared.clock import Clock
from domain.shared.errors import Conflict, Forbidden, NotFound
from domain.shared.unit_of_work import UnitOfWork, UowFactory

KEY_ROTATED = "user.key_rotated"
RECOVERY_REQUESTED = "user.key_recovery_requested"
RECOVERY_CANCELED = "user.key_recovery_canceled"
RECOVERY_REFUSED = "user.key_recovery_refused"
BATCH = 100

# What must hold, inside the moving transaction with the account's row locked, before it moves.
AccountCheck = Callable[[UnitOfWork, User], Awaitable[None]]


class KeyRotationRequest(Struct, frozen=True, kw_only=True):
    new_key_event: Event
    old_key_event: Event
    origin: RequestOrigin = NO_ORIGIN


class KeyRecoveryRequest(Struct, frozen=True, kw_only=True):
    new_key_event: Event
    origin: RequestOrigin = NO_ORIGIN


def _not_machine(principal: Principal) -> None:
    if principal.is_machine:
        raise Forbidden("an API key cannot change the account's key")


async def _consume(uow: UnitOfWork, challenge: str, now: datetime) -> None:
    if await uow.auth_challenges.consume(challenge, now) is None:
        raise KeyRotationRefused("key rotation: the challenge is unknown, already used or expired")


async def _refuse_taken(uow: UnitOfWork, pubkey: str) -> None:
    if await uow.users.get_by_pubkey(pubkey) is not None:
        raise Conflict("the new key belongs to another account")


async def _wallet_of(uow: UnitOfWork, principal: Principal) -> LnurlWallet | None:
    """The linked wallet whose sign-in opened the caller's session, if it did."""
    if principal.credential is not CredentialKind.BEARER or principal.session_id is None:
        return None
    return await uow.lnurl_wallets.get_by_session(principal.session_id)


class MoveAccount:
    """Moves an account to a new key inside the caller's transaction; see the module's docstring."""

    def __init__(self, unit_of_work: UowFactory, verdicts: AuthVerdicts, names: NameChanges) -> None:
        self._uow = unit_of_work
        self._verdicts = verdicts
        self._names = names

    async def __call__(
        self,
        user_id: UUID,
        new_pubkey: str,
        now: datetime,
        *,
        actor: Actor,
        via: str,
        check: AccountCheck,
    ) -> User:
        async with self._uow() as uow:
            user = await uow.users.get(user_id)
            by_domain: dict[str, list[str]] = {}
            for record in await uow.nip05_names.list_for_user(user_id):
                by_domain.setdefault(record.domain, []).append(record.name)
        if user is None:
            raise NotFound("the account no longer exists")
        ending = ending_every_session(self._uow, self._verdicts, user_id, now)
        async with AsyncExitStack() as served:
            for domain, names in by_domain.items():
                await served.enter_async_context(self._names.changing(domain, names))
            async with (
                self._verdicts.accounts.changing(str(user_id)),
                self._verdicts.pubkeys.changing(user.pubkey, new_pubkey),
                ending as revoke_all,
                self._uow() as uow,
            ):
                current = await uow.users.get_for_update(user_id)
                if current is None:
                    raise NotFound("the account no longer exists")
                await check(uow, current)
                await _refuse_taken(uow, new_pubkey)
                moved = current.with_pubkey(new_pubkey, now)
                await uow.users.update(moved)
                for record in await uow.nip05_names.list_for_user(user_id):
                    if record.pubkey == current.pubkey:
                        await uow.nip05_names.update(
                            structs.replace(record, pubkey=new_pubkey, updated_at=now)
                        )
                pending = await uow.key_recoveries.get_pending_for_user(user_id)
                if pending is not None:
                    ending_status = (
                        KeyRecoveryStatus.COMPLETED if via == "recovery" else KeyRecoveryStatus.CANCELED
                    )
                    await uow.key_recoveries.update(pending.ended(ending_status, now))
                revoked = await revoke_all(uow)
                await uow.audit_log.add(
                    AuditLog.record(
                        action=KEY_ROTATED,
                        now=now,
                        actor=actor,
                        target=("user", user_id),
                        details={
                            "via": via,
                            "old_pubkey": current.pubkey,
                            "new_pubkey": new_pubkey,
                            "revoked": revoked,
                        },
                    )
                )
                await uow.commit()
        return moved


class _Consent:
    def __init__(self, request: KeyRotationRequest, challenge: str, now: datetime) -> None:
        self._request = request
        self._challenge = challenge
        self._now = now

    async def __call__(self, uow: UnitOfWork, user: User) -> None:
        if self._request.old_key_event.pubkey != user.pubkey:
            raise KeyRotationRefused("key rotation: the old key's event is not signed by this account's key")
        await _consume(uow, self._challenge, self._now)


class RotateKey:
    """Moves the caller's account to the new key the events prove, with the old key's consent."""

    def __init__(self, move: MoveAccount, unit_of_work: UowFactory, clock: Clock, public_url: str) -> None:
        self._move = move
        self._uow = unit_of_work
        self._clock = clock
        self._public_url = public_url

    async def __call__(self, principal: Principal, request: KeyRotationRequest) -> User:
        _not_machine(principal)
        now = self._clock.now()
        async with self._uow() as uow:
            user = await uow.users.get(principal.user_id)
        if user is None:
            raise NotFound("the account no longer exists")
        challenge = check_consent(
            request.new_key_event,
            request.old_key_event,
            old_pubkey=user.pubkey,
            public_url=self._public_url,
            now=now,
        )
        actor = Actor(user_id=user.id, pubkey=user.pubkey, origin=request.origin)
        return await self._move(
            user.id,
            request.new_key_event.pubkey,
            now,
            actor=actor,
            via="consent",
            check=_Consent(request, challenge, now),
        )


class RequestKeyRecovery:
    """A session opened by a linked LNURL-auth wallet asks to move the account to the new key the
    event proves; the move happens after RECOVERY_WAIT unless the old key cancels it."""

    def __init__(self, unit_of_work: UowFactory, clock: Clock, public_url: str) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._public_url = public_url

    async def __call__(self, principal: Principal, request: KeyRecoveryRequest) -> KeyRecovery:
        _not_machine(principal)
        now = self._clock.now()
        challenge = check_new_key_event(request.new_key_event, public_url=self._public_url, now=now)
        new_pubkey = request.new_key_event.pubkey
        async with self._uow() as uow:
            wallet = await _wallet_of(uow, principal)
            if wallet is None or wallet.user_id != principal.user_id:
                raise Forbidden(
                    "a key recovery is asked by a session signed in with a linked LNURL-auth wallet"
                )
            user = await uow.users.get_for_update(principal.user_id)
            if user is None:
                raise NotFound("the account no longer exists")
            if new_pubkey == user.pubkey:
                raise KeyRotationRefused("key rotation: the new key is the account's key already")
            await _consume(uow, challenge, now)
            await _refuse_taken(uow, new_pubkey)
            if await uow.key_recoveries.get_pending_for_user(user.id) is not None:
                raise Conflict("a key recovery is pending for this account already")
            recovery = KeyRecovery.request(
                user_id=user.id, wallet_id=wallet.id, new_pubkey=new_pubkey, now=now
            )
            await uow.key_recoveries.add(recovery)
            await uow.audit_log.add(
                AuditLog.record(
                    action=RECOVERY_REQUESTED,
                    now=now,
                    actor=Actor(user_id=user.id, pubkey=user.pubkey, origin=request.origin),
                    target=("user", user.id),
                    details={
                        "wallet": wallet.key_prefix,
                        "new_pubkey": new_pubkey,
                        "effective_at": recovery.effective_at.isoformat(),
                    },
                )
            )
            await uow.commit()
        return recovery


class CancelKeyRecovery:
    """The old key (a NIP-98 request, or a session it signed in) cancels a pending key recovery."""

    def __init__(self, unit_of_work: UowFactory, clock: Clock) -> None:
        self._uow = unit_of_work
        self._clock = clock

    async def __call__(self, principal: Principal, origin: RequestOrigin = NO_ORIGIN) -> None:
        _not_machine(principal)
        now = self._clock.now()
        async with self._uow() as uow:
            if await _wallet_of(uow, principal) is not None:
                raise Forbidden("only the account's own key cancels a key recovery")
            user = await uow.users.get_for_update(principal.user_id)
            if user is None:
                raise NotFound("the account no longer exists")
            pending = await uow.key_recoveries.get_pending_for_user(user.id)
            if pending is None:
                raise NotFound("no key recovery is pending")
            await uow.key_recoveries.update(pending.ended(KeyRecoveryStatus.CANCELED, now))
            await uow.audit_log.add(
                AuditLog.record(
                    action=RECOVERY_CANCELED,
                    now=now,
                    actor=Actor(user_id=user.id, pubkey=user.pubkey, origin=origin),
                    target=("user", user.id),
                    details={"new_pubkey": pending.new_pubkey},
                )
            )
            await uow.commit()


class _StillPending:
    def __init__(self, recovery: KeyRecovery) -> None:
        self._recovery = recovery

    async def __call__(self, uow: UnitOfWork, user: User) -> None:
        pending = await uow.key_recoveries.get_pending_for_user(user.id)
        if pending is None or pending.id != self._recovery.id:
            raise _Withdrawn()


class _Withdrawn(Exception):
    """The recovery was canceled or withdrawn (its wallet unlinked) since the job listed it."""


class CompleteKeyRecoveries:
    """The job: first the account's key is told of each new recovery by direct message (claimed
    before it is sent, released when no relay took it); then each recovery whose waiting period is
    over moves its account to the new key, and one whose new key meanwhile became another account's
    is refused (audited). Returns how many accounts moved."""

    def __init__(
        self,
        move: MoveAccount,
        unit_of_work: UowFactory,
        clock: Clock,
        send: SendDirectMessage,
        public_url: str,
    ) -> None:
        self._move = move
        self._uow = unit_of_work
        self._clock = clock
        self._send = send
        self._public_url = public_url

    async def __call__(self) -> int:
        now = self._clock.now()
        records = EachAlone("key recoveries")
        async with self._uow() as uow:
            unnotified = await uow.key_recoveries.list_unnotified(BATCH)
        for recovery in unnotified:
            async with records.alone(recovery.id):
                await self._notify(recovery, now)
        async with self._uow() as uow:
            due = await uow.key_recoveries.list_due(now, BATCH)
        moved = 0
        for recovery in due:
            async with records.alone(recovery.id):
                try:
                    await self._move(
                        recovery.user_id,
                        recovery.new_pubkey,
                        now,
                        actor=Actor(via="job"),
                        via="recovery",
                        check=_StillPending(recovery),
                    )
                    moved += 1
                except _Withdrawn:
                    continue
                except Conflict:
                    await self._refuse(recovery, now)
        return records.settle(moved)

    async def _notify(self, recovery: KeyRecovery, now: datetime) -> None:
        async with self._uow() as uow:
            user = await uow.users.get(recovery.user_id)
            claimed = await uow.key_recoveries.claim_notification(recovery.id, now)
            await uow.commit()
        if not claimed or user is None:
            return
        text = recovery_notice(recovery, encode_npub(recovery.new_pubkey), self._public_url)
        try:
            await self._send(user.pubkey, text)
        except Exception:
            async with self._uow() as uow:
                await uow.key_recoveries.release_notification(recovery.id)
                await uow.commit()
            raise

    async def _refuse(self, recovery: KeyRecovery, now: datetime) -> None:
        async with self._uow() as uow:
            pending = await uow.key_recoveries.get_pending_for_user(recovery.user_id)
            if pending is None or pending.id != recovery.id:
                return
            await uow.key_recoveries.update(pending.ended(KeyRecoveryStatus.REFUSED, now))
            await uow.audit_log.add(
                AuditLog.record(
                    action=RECOVERY_REFUSED,
                    now=now,
                    actor=Actor(via="job"),
                    target=("user", recovery.user_id),
                    details={
                        "new_pubkey": recovery.new_pubkey,
                        "reason": "the new key belongs to another account",
                    },
                )
            )
            await uow.commit()
