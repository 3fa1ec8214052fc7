"""Moving an account to a new Nostr key: the new key's signature with the old key's consent, or a
linked LNURL-auth wallet's request that takes effect after a waiting period the old key can cancel."""

from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from msgspec import Struct, structs

from domain.auth.sign_in import SignInRefused, check_sign_in_event
from domain.nostr.event import Event
from domain.nostr.pubkeys import parse_hex_pubkey
from domain.shared.errors import Forbidden, InvalidTransition

# How long a wallet's recovery waits, so the old key can see it and cancel it.
RECOVERY_WAIT = timedelta(days=7)


class KeyRotationRefused(Forbidden):
    """The signed events do not prove the new key, or the old key's consent; the message says why."""


def _refused(error: SignInRefused, whose: str) -> KeyRotationRefused:
    return KeyRotationRefused(f"key rotation: the {whose} key's event: {error}".replace("sign-in: ", ""))


def check_new_key_event(event: Event, *, public_url: str, now: datetime) -> str:
    """The challenge the new key's event answers, once it is a valid sign-in event."""
    try:
        return check_sign_in_event(event, public_url=public_url, now=now)
    except SignInRefused as error:
        raise _refused(error, "new") from None


def check_consent(
    new_key_event: Event, old_key_event: Event, *, old_pubkey: str, public_url: str, now: datetime
) -> str:
    """The one challenge both events answer, once the new key signed it and the account's current
    key consented: signed by `old_pubkey`, over the same challenge, naming the new key in its only
    `p` tag."""
    challenge = check_new_key_event(new_key_event, public_url=public_url, now=now)
    try:
        old_challenge = check_sign_in_event(old_key_event, public_url=public_url, now=now)
    except SignInRefused as error:
        raise _refused(error, "old") from None
    if old_key_event.pubkey != old_pubkey:
        raise KeyRotationRefused("key rotation: the old key's event is not signed by this account's key")
    if new_key_event.pubkey == old_pubkey:
        raise KeyRotationRefused("key rotation: the new key is the account's key already")
    if old_challenge != challenge:
        raise KeyRotationRefused("key rotation: both events must answer the same challenge")
    named = [tag[1] for tag in old_key_event.tags if len(tag) >= 2 and tag[0] == "p"]
    if len(named) != 1:
        raise KeyRotationRefused("key rotation: the old key's event must carry exactly one p tag")
    if named[0] != new_key_event.pubkey:
        raise KeyRotationRefused("key rotation: the old key's p tag does not name the new key")
    return challenge


class KeyRecoveryStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    CANCELED = "canceled"
    REFUSED = "refused"  # the new key belonged to another account when it became effective


class KeyRecovery(Struct, frozen=True, kw_only=True):
    """A linked wallet's request to move its account to `new_pubkey` once `effective_at` is reached."""

    id: UUID
    user_id: UUID
    wallet_id: UUID
    new_pubkey: str
    requested_at: datetime
    effective_at: datetime
    status: KeyRecoveryStatus = KeyRecoveryStatus.PENDING
    ended_at: datetime | None = None
    notified_at: datetime | None = None  # when the account's key was told

    def __post_init__(self) -> None:
        parse_hex_pubkey(self.new_pubkey)

    @classmethod
    def request(cls, *, user_id: UUID, wallet_id: UUID, new_pubkey: str, now: datetime) -> "KeyRecovery":
        return cls(
            id=uuid4(),
            user_id=user_id,
            wallet_id=wallet_id,
            new_pubkey=new_pubkey,
            requested_at=now,
            effective_at=now + RECOVERY_WAIT,
        )

    def is_due(self, now: datetime) -> bool:
        return self.status is KeyRecoveryStatus.PENDING and now >= self.effective_at

    def ended(self, status: KeyRecoveryStatus, now: datetime) -> "KeyRecovery":
        if self.status is not KeyRecoveryStatus.PENDING:
            raise InvalidTransition(f"key recovery is {self.status.value} already")
        return structs.replace(self, status=status, ended_at=now)


def recovery_notice(recovery: KeyRecovery, new_npub: str, public_url: str) -> str:
    """The direct message that tells the account's key of a pending recovery."""
    when = recovery.effective_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"A Lightning wallet linked to your nostr-id account asked to move the account to the key "
        f"{new_npub} on {when}. If this was not you, sign in at {public_url} with this key and cancel "
        "it (DELETE /api/v1/me/key-rotation/recovery) before then."
    )
