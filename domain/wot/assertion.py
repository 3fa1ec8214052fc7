"""NIP-85 trusted assertions (kind 30382) about one pubkey, from its figures."""

import hashlib
import hmac

import msgspec

from domain.nostr.event import Event

ASSERTION_KIND = 30382
# What a user puts in their kind 10040 to name us as their rank provider.
RANK_TAG = f"{ASSERTION_KIND}:rank"
_CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def personalized_secret_key(service_secret_key: str, viewer: str) -> str:
    """The provider key of ranks seen from `viewer`: HMAC-SHA256(service key, "nip85:personalized:"
    + viewer) reduced into 1 .. n-1. Each viewer's ranks are their own provider (NIP-85: one key per
    algorithm, or per user for personalized ranks); anyone holding the service key can derive it
    again, nobody else can."""
    message = f"nip85:personalized:{viewer}".encode()
    digest = hmac.new(bytes.fromhex(service_secret_key), message, hashlib.sha256).digest()
    return (int.from_bytes(digest, "big") % (_CURVE_ORDER - 1) + 1).to_bytes(32, "big").hex()


def assertion_tags(
    pubkey: str, trust_score: float, followers: int, first_created_at: int | None, recent_notes: int
) -> list[list[str]]:
    """`d` the subject, `rank` = round(100 * trust), `followers`, `first_created_at` (the oldest
    event found; absent when none), `post_cnt` = notes in the activity window (30 days)."""
    tags = [
        ["d", pubkey],
        ["rank", str(round(100 * min(1.0, max(0.0, trust_score))))],
        ["followers", str(followers)],
    ]
    if first_created_at is not None:
        tags.append(["first_created_at", str(first_created_at)])
    tags.append(["post_cnt", str(recent_notes)])
    return tags


def says_the_same(held: Event | None, tags: list[list[str]]) -> bool:
    """True when the assertion held on the relays carries exactly these tags (in any order)."""
    if held is None or held.kind != ASSERTION_KIND:
        return False
    return sorted(map(tuple, held.tags)) == sorted(map(tuple, tags))


class ProviderCard(msgspec.Struct, frozen=True):
    """What a user needs to name this service as their rank provider in kind 10040."""

    pubkey: str
    relays: tuple[str, ...]
    tag_10040: list[str]


def provider_card(provider_pubkey: str, relays: tuple[str, ...]) -> ProviderCard:
    return ProviderCard(
        pubkey=provider_pubkey,
        relays=relays,
        tag_10040=[RANK_TAG, provider_pubkey, relays[0] if relays else ""],
    )
