"""Why a pubkey has its figures: follow paths from the seeds, its most trusted followers, each bot
reason with the value measured and the threshold it is held against."""

from datetime import datetime

import msgspec

from domain.wot.figures import (
    IMPLAUSIBLE_NOTE_RATE,
    MASS_FOLLOWING,
    NO_PROFILE,
    NO_TRUSTED_FOLLOWER,
    YOUNG_ACCOUNT,
    TargetFacts,
    account_age_days,
)
from domain.wot.negative_signals import REPORTED_BY_TRUSTED, NegativeSignals
from domain.wot.neighbourhood import Neighbourhood, TrustPosition
from domain.wot.settings import WotSettings

MAX_PATHS = 3
TOP_FOLLOWERS = 10


class TrustedFollower(msgspec.Struct, frozen=True):
    pubkey: str
    trust_score: float


class ReasonCheck(msgspec.Struct, frozen=True):
    """One bot reason: the value measured, the threshold, and whether the reason holds."""

    reason: str
    value: float
    threshold: float
    holds: bool


def shortest_paths(neighbourhood: Neighbourhood, target: str, limit: int = MAX_PATHS) -> list[list[str]]:
    """Up to `limit` shortest follow paths from a seed to `target` in the snapshot, seed first.

    Each step goes from a member one hop nearer a seed; ties are broken by pubkey, so the answer is
    the same every time.
    """
    depth = neighbourhood.position_of(target).depth
    if depth is None:
        return []
    paths: list[list[str]] = []

    def walk(tail: list[str]) -> None:
        head = tail[0]
        level = neighbourhood.position_of(head).depth
        if level == 0:
            paths.append(tail)
            return
        nearer = sorted(
            f
            for f in neighbourhood.member_followers(head)
            if neighbourhood.position_of(f).depth == (level or 0) - 1
        )
        for follower in nearer:
            if len(paths) >= limit:
                return
            walk([follower, *tail])

    walk([target])
    return paths


def top_followers(
    neighbourhood: Neighbourhood, target: str, count: int = TOP_FOLLOWERS
) -> list[TrustedFollower]:
    """The `count` members following `target` with the highest trust (ties by pubkey)."""
    ranked = [
        TrustedFollower(pubkey=f, trust_score=neighbourhood.position_of(f).trust_score)
        for f in neighbourhood.member_followers(target)
    ]
    ranked.sort(key=lambda f: (-f.trust_score, f.pubkey))
    return ranked[:count]


def reason_checks(
    facts: TargetFacts,
    position: TrustPosition,
    signals: NegativeSignals,
    reasons: tuple[str, ...],
    settings: WotSettings,
    now: datetime,
) -> list[ReasonCheck]:
    """Every bot reason with the value measured and its threshold; `holds` when it is among
    `reasons`, the reasons the figures give (a seed is exempt from some, see docs/wot.md)."""
    limits = settings.bots
    age_days = account_age_days(facts.oldest_event_at, now)
    active_days = min(float(settings.activity_window_days), max(1.0, age_days))
    measured = {
        NO_TRUSTED_FOLLOWER: (position.trusted_followers, 1),
        MASS_FOLLOWING: (facts.following_count, limits.max_following),
        YOUNG_ACCOUNT: (round(age_days, 3), limits.min_account_age_days),
        IMPLAUSIBLE_NOTE_RATE: (round(facts.recent_notes / active_days, 3), limits.max_notes_per_day),
        NO_PROFILE: (int(facts.has_profile), 1),
        REPORTED_BY_TRUSTED: (signals.reported_by_trusted, limits.max_trusted_reports),
    }
    return [
        ReasonCheck(reason=reason, value=float(value), threshold=float(threshold), holds=reason in reasons)
        for reason, (value, threshold) in measured.items()
    ]


class Explanation(msgspec.Struct, frozen=True):
    """Follow paths from a seed (or the viewer), the most trusted followers, every bot reason."""

    pubkey: str
    paths: list[list[str]]
    top_followers: list[TrustedFollower]
    bot_reasons: list[ReasonCheck]
