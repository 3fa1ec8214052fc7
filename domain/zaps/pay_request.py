"""LUD-06 / LUD-16 pay requests: the metadata a Lightning address answers with and the bounds it sets."""

import hashlib

import msgspec

from domain.shared.errors import InvalidInput


class PayLimits(msgspec.Struct, frozen=True, kw_only=True):
    """What one Lightning address accepts: amounts in millisatoshi and the comment length (LUD-12)."""

    min_sendable: int = 1_000
    max_sendable: int = 1_000_000_000
    comment_allowed: int = 255


class PayRequest(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """The LUD-06 payRequest a LUD-16 address answers with, NIP-57's `allowsNostr` and `nostrPubkey` added."""

    callback: str
    min_sendable: int
    max_sendable: int
    metadata: str
    comment_allowed: int
    allows_nostr: bool
    nostr_pubkey: str
    tag: str = "payRequest"


class LudError(msgspec.Struct, frozen=True):
    """A LUD error answer: `{"status": "ERROR", "reason": ...}`."""

    reason: str
    status: str = "ERROR"


def address_metadata(name: str, domain: str) -> str:
    """The metadata JSON string of `name@domain`; an invoice's description hash is taken over it as is."""
    identifier = f"{name}@{domain}"
    return msgspec.json.encode(
        [["text/plain", f"Payment to {identifier}"], ["text/identifier", identifier]]
    ).decode()


def description_hash(text: str) -> str:
    """SHA-256 hex of a description (the metadata, or a zap request), as a bolt11 `h` field carries it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_amount(amount_msat: int, limits: PayLimits) -> int:
    """The amount when it lies within the address's bounds; InvalidInput otherwise."""
    if not limits.min_sendable <= amount_msat <= limits.max_sendable:
        raise InvalidInput(
            f"amount must be between {limits.min_sendable} and {limits.max_sendable} millisatoshi",
            {"amount": "out of bounds"},
        )
    return amount_msat


def check_comment(comment: str, limits: PayLimits) -> str:
    """The comment when it is no longer than the address allows; InvalidInput otherwise."""
    if len(comment) > limits.comment_allowed:
        raise InvalidInput(
            f"comment must be at most {limits.comment_allowed} characters", {"comment": "too long"}
        )
    return comment
