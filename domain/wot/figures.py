"""From facts about one pubkey and its place in the neighbourhood to the published figures."""

import math
from datetime import datetime

import msgspec

from domain.wot.neighbourhood import TrustPosition
from domain.wot.settings import BotThresholds, DiscountTier, WotSettings

SECONDS_PER_DAY = 86400.0

NO_TRUSTED_FOLLOWER = "no_trusted_follower"
MASS_FOLLOWING = "mass_following"
YOUNG_ACCOUNT = "young_account"
IMPLAUSIBLE_NOTE_RATE = "implausible_note_rate"
NO_PROFILE = "no_profile"


class TargetFacts(msgspec.Struct, frozen=True):
    """What the relays say about one pubkey, read fresh for each score."""

    pubkey: str
    followers_count: int
    following_count: int
    has_profile: bool
    oldest_event_at: int | None
    recent_notes: int


class WotFigures(msgspec.Struct, frozen=True):
    """The Web of Trust figures of one pubkey at `computed_at`."""

    pubkey: str
    followers_count: int
    following_count: int
    wot_depth: int | None
    trust_score: float
    is_likely_bot: bool
    bot_reasons: tuple[str, ...]
    account_age_score: float
    activity_score: float
    discount_percent: int
    computed_at: datetime
    # Trusted members whose newest mute list holds the pubkey, and who reported it (docs/wot.md).
    muted_by_trusted: int = 0
    reported_by_trusted: int = 0


def account_age_days(oldest_event_at: int | None, now: datetime) -> float:
    if oldest_event_at is None:
        return 0.0
    return max(0.0, (now.timestamp() - oldest_event_at) / SECONDS_PER_DAY)


def account_age_score(oldest_event_at: int | None, now: datetime, full_days: float) -> float:
    """Linear in the age of the oldest event found, reaching 1 at `full_days`."""
    return min(1.0, account_age_days(oldest_event_at, now) / full_days)


def activity_score(recent_notes: int, full_notes: int) -> float:
    """log(1 + notes) / log(1 + full_notes), capped at 1: the first notes count most."""
    return min(1.0, math.log1p(max(0, recent_notes)) / math.log1p(full_notes))


def bot_reasons(
    facts: TargetFacts,
    position: TrustPosition,
    *,
    has_seeds: bool,
    now: datetime,
    window_days: int,
    thresholds: BotThresholds,
) -> tuple[str, ...]:
    """Every heuristic the pubkey trips, in a fixed order."""
    reasons: list[str] = []
    age_days = account_age_days(facts.oldest_event_at, now)
    if has_seeds and position.depth != 0 and position.trusted_followers == 0:
        reasons.append(NO_TRUSTED_FOLLOWER)
    if facts.following_count > thresholds.max_following:
        reasons.append(MASS_FOLLOWING)
    # A seed is trusted by configuration: lacking events of its own says nothing about it.
    is_seed = has_seeds and position.depth == 0
    if age_days < thresholds.min_account_age_days and not (is_seed and facts.oldest_event_at is None):
        reasons.append(YOUNG_ACCOUNT)
    # Notes per day over the part of the window the account has existed (at least one day).
    active_days = min(float(window_days), max(1.0, age_days))
    if facts.recent_notes / active_days > thresholds.max_notes_per_day:
        reasons.append(IMPLAUSIBLE_NOTE_RATE)
    if not facts.has_profile and not is_seed:
        reasons.append(NO_PROFILE)
    return tuple(reasons)


def discount_percent(
    depth: int | None, trust_score: float, is_likely_bot: bool, tiers: tuple[DiscountTier, ...]
) -> int:
    """The first tier the pubkey qualifies for; nothing for likely bots or pubkeys beyond every tier."""
    if is_likely_bot or depth is None:
        return 0
    for tier in tiers:
        if depth <= tier.max_depth and trust_score >= tier.min_trust:
            return tier.percent
    return 0


def figures_of(
    facts: TargetFacts, position: TrustPosition, settings: WotSettings, now: datetime
) -> WotFigures:
    reasons = bot_reasons(
        facts,
        position,
        has_seeds=bool(settings.seeds),
        now=now,
        window_days=settings.activity_window_days,
        thresholds=settings.bots,
    )
    is_likely_bot = len(reasons) >= settings.bots.min_reasons
    return WotFigures(
        pubkey=facts.pubkey,
        followers_count=facts.followers_count,
        following_count=facts.following_count,
        wot_depth=position.depth,
        trust_score=position.trust_score,
        is_likely_bot=is_likely_bot,
        bot_reasons=reasons,
        account_age_score=account_age_score(facts.oldest_event_at, now, settings.age_full_days),
        activity_score=activity_score(facts.recent_notes, settings.activity_full_notes),
        discount_percent=discount_percent(
            position.depth, position.trust_score, is_likely_bot, settings.discount_tiers
        ),
        computed_at=now,
    )
