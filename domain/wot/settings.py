"""The knobs of the Web of Trust, validated once and passed in by the composition root."""

import hashlib

import msgspec

from domain.nostr.pubkeys import is_hex_pubkey
from domain.shared.errors import InvalidInput

# The defaults the service's WOT_MAX_DEPTH, WOT_CACHE_TTL and WOT_REQUEST_DEADLINE start from.
DEFAULT_MAX_DEPTH = 3
DEFAULT_CACHE_TTL = 300
DEFAULT_REQUEST_DEADLINE = 5.0


class BotThresholds(msgspec.Struct, frozen=True):
    """Each threshold switches on one bot reason; `min_reasons` reasons make `is_likely_bot`."""

    # Relays cap an event at about 64 KB (about 880 follows), so a list near the cap stands out.
    max_following: int = 750
    min_account_age_days: float = 7.0
    max_notes_per_day: float = 48.0
    # Trusted members who reported the pubkey (NIP-56) for the `reported_by_trusted` reason.
    max_trusted_reports: int = 3
    min_reasons: int = 2


class DiscountTier(msgspec.Struct, frozen=True):
    """`percent` off for a non-bot within `max_depth` hops of a seed whose trust reaches `min_trust`."""

    percent: int
    max_depth: int
    min_trust: float = 0.0


DEFAULT_TIERS = (
    DiscountTier(percent=30, max_depth=1, min_trust=0.8),
    DiscountTier(percent=20, max_depth=2, min_trust=0.5),
    DiscountTier(percent=10, max_depth=3, min_trust=0.0),
)


class WotSettings(msgspec.Struct, frozen=True):
    """Seeds are lowercase hex pubkeys. Times are seconds."""

    seeds: tuple[str, ...] = ()
    max_depth: int = DEFAULT_MAX_DEPTH
    cache_ttl: float = float(DEFAULT_CACHE_TTL)
    # How long a score or neighbourhood past its TTL may still be served, flagged stale.
    stale_for: float = 86400.0
    # Deadline for one request's relay work; past it, stale is served or the caller gets a 503.
    request_deadline: float = DEFAULT_REQUEST_DEADLINE
    # Deadline for building the trust neighbourhood, which runs on even after a request gives up.
    build_deadline: float = 120.0
    damping: float = 0.85
    age_full_days: float = 365.0
    activity_full_notes: int = 60
    activity_window_days: int = 30
    bots: BotThresholds = BotThresholds()
    # Trust is divided by 1 + mute_weight * trusted mutes + report_weight * trusted reporters.
    mute_weight: float = 0.5
    report_weight: float = 1.0
    discount_tiers: tuple[DiscountTier, ...] = DEFAULT_TIERS

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise InvalidInput("invalid Web of Trust settings", problems)

    def fingerprint(self) -> str:
        """Changes whenever a setting that shapes a score changes, so cached scores never mix."""
        shaping = msgspec.json.encode(
            [
                self.seeds,
                self.max_depth,
                self.damping,
                self.age_full_days,
                self.activity_full_notes,
                self.activity_window_days,
                self.bots,
                self.discount_tiers,
                self.mute_weight,
                self.report_weight,
            ]
        )
        return hashlib.sha256(shaping).hexdigest()[:16]


def _problems(settings: WotSettings) -> dict[str, str]:
    problems: dict[str, str] = {}
    bad_seeds = [seed for seed in settings.seeds if not is_hex_pubkey(seed)]
    if bad_seeds:
        problems["seeds"] = f"not 64-char lowercase hex pubkeys: {', '.join(bad_seeds[:3])}"
    if not 1 <= settings.max_depth <= 6:
        problems["max_depth"] = "must be between 1 and 6"
    if settings.cache_ttl <= 0:
        problems["cache_ttl"] = "must be positive"
    if settings.stale_for < 0:
        problems["stale_for"] = "must not be negative"
    if settings.request_deadline <= 0 or settings.build_deadline <= 0:
        problems["deadline"] = "deadlines must be positive"
    if not 0 < settings.damping < 1:
        problems["damping"] = "must be strictly between 0 and 1"
    if settings.age_full_days <= 0 or settings.activity_full_notes <= 0 or settings.activity_window_days <= 0:
        problems["scores"] = "age and activity scales must be positive"
    if settings.mute_weight < 0 or settings.report_weight < 0:
        problems["weights"] = "mute and report weights must not be negative"
    if settings.bots.min_reasons < 1:
        problems["bots.min_reasons"] = "must be at least 1"
    for tier in settings.discount_tiers:
        if not 0 <= tier.percent <= 100 or not 0 <= tier.min_trust <= 1 or tier.max_depth < 0:
            problems["discount_tiers"] = "percent in 0..100, min_trust in 0..1, max_depth at least 0"
    return problems
