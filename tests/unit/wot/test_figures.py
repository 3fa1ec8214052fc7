from datetime import UTC, datetime

import pytest

from domain.shared.errors import InvalidInput
from domain.wot.figures import (
    IMPLAUSIBLE_NOTE_RATE,
    MASS_FOLLOWING,
    NO_PROFILE,
    NO_TRUSTED_FOLLOWER,
    YOUNG_ACCOUNT,
    TargetFacts,
    account_age_score,
    activity_score,
    discount_percent,
    figures_of,
)
from domain.wot.neighbourhood import TrustPosition
from domain.wot.settings import BotThresholds, DiscountTier, WotSettings

NOW = datetime(2025, 6, 1, tzinfo=UTC)
DAY = 86400
TARGET = "e" * 64
SEED = "5" * 64


def facts(**changes: object) -> TargetFacts:
    base: dict[str, object] = {
        "pubkey": TARGET,
        "followers_count": 10,
        "following_count": 100,
        "has_profile": True,
        "oldest_event_at": int(NOW.timestamp()) - 400 * DAY,
        "recent_notes": 30,
    }
    base.update(changes)
    return TargetFacts(**base)  # type: ignore[arg-type]


TRUSTED = TrustPosition(depth=2, trust_score=0.6, trusted_followers=3)
SETTINGS = WotSettings(seeds=(SEED,))


def test_age_score_is_linear_up_to_the_full_age() -> None:
    now_ts = int(NOW.timestamp())

    assert account_age_score(None, NOW, 365) == 0.0
    assert account_age_score(now_ts, NOW, 365) == 0.0
    assert account_age_score(now_ts - 73 * DAY, NOW, 365) == pytest.approx(0.2)
    assert account_age_score(now_ts - 365 * DAY, NOW, 365) == 1.0
    assert account_age_score(now_ts - 900 * DAY, NOW, 365) == 1.0
    # An event from the future does not make an account older than new.
    assert account_age_score(now_ts + DAY, NOW, 365) == 0.0


def test_activity_score_is_log_scaled_and_capped() -> None:
    assert activity_score(0, 60) == 0.0
    assert activity_score(6, 60) == pytest.approx(0.4733, abs=1e-4)
    assert activity_score(60, 60) == 1.0
    assert activity_score(5000, 60) == 1.0


def test_an_ordinary_person_trips_nothing() -> None:
    score = figures_of(facts(), TRUSTED, SETTINGS, NOW)

    assert score.bot_reasons == ()
    assert not score.is_likely_bot


@pytest.mark.parametrize(
    ("changes", "position", "reason"),
    [
        ({}, TrustPosition(depth=3, trust_score=0.0, trusted_followers=0), NO_TRUSTED_FOLLOWER),
        ({"following_count": 751}, TRUSTED, MASS_FOLLOWING),
        ({"oldest_event_at": int(NOW.timestamp()) - 6 * DAY}, TRUSTED, YOUNG_ACCOUNT),
        ({"oldest_event_at": None, "recent_notes": 0}, TRUSTED, YOUNG_ACCOUNT),
        ({"recent_notes": 30 * 48 + 1}, TRUSTED, IMPLAUSIBLE_NOTE_RATE),
        ({"has_profile": False}, TRUSTED, NO_PROFILE),
    ],
)
def test_each_heuristic_names_its_reason(
    changes: dict[str, object], position: TrustPosition, reason: str
) -> None:
    score = figures_of(facts(**changes), position, SETTINGS, NOW)

    assert reason in score.bot_reasons
    assert len(score.bot_reasons) == 1
    assert not score.is_likely_bot  # one reason alone is not enough by default


def test_thresholds_are_exclusive_at_the_boundary() -> None:
    at_limits = facts(
        following_count=750, oldest_event_at=int(NOW.timestamp()) - 7 * DAY, recent_notes=7 * 48
    )

    assert figures_of(at_limits, TRUSTED, SETTINGS, NOW).bot_reasons == ()


def test_note_rate_is_judged_over_the_days_the_account_existed() -> None:
    two_days_old = facts(oldest_event_at=int(NOW.timestamp()) - 2 * DAY, recent_notes=200)

    reasons = figures_of(two_days_old, TRUSTED, SETTINGS, NOW).bot_reasons

    assert reasons == (YOUNG_ACCOUNT, IMPLAUSIBLE_NOTE_RATE)


def test_enough_reasons_make_a_likely_bot() -> None:
    bot = facts(has_profile=False, following_count=800)

    score = figures_of(bot, TRUSTED, SETTINGS, NOW)

    assert score.is_likely_bot
    assert score.bot_reasons == (MASS_FOLLOWING, NO_PROFILE)
    assert score.discount_percent == 0


def test_thresholds_come_from_settings() -> None:
    strict = WotSettings(seeds=(SEED,), bots=BotThresholds(max_following=50, min_reasons=1))

    score = figures_of(facts(following_count=51), TRUSTED, strict, NOW)

    assert score.bot_reasons == (MASS_FOLLOWING,)
    assert score.is_likely_bot


def test_seeds_and_seedless_settings_never_lack_a_trusted_follower() -> None:
    lonely = TrustPosition(depth=None, trust_score=0.0, trusted_followers=0)
    seed_position = TrustPosition(depth=0, trust_score=1.0, trusted_followers=0)

    assert NO_TRUSTED_FOLLOWER not in figures_of(facts(), lonely, WotSettings(), NOW).bot_reasons
    assert NO_TRUSTED_FOLLOWER not in figures_of(facts(), seed_position, SETTINGS, NOW).bot_reasons


TIERS = (
    DiscountTier(percent=30, max_depth=1, min_trust=0.8),
    DiscountTier(percent=20, max_depth=2, min_trust=0.5),
    DiscountTier(percent=10, max_depth=3),
)


@pytest.mark.parametrize(
    ("depth", "trust", "bot", "percent"),
    [
        (0, 1.0, False, 30),
        (1, 0.8, False, 30),
        (1, 0.79, False, 20),
        (2, 0.5, False, 20),
        (2, 0.49, False, 10),
        (3, 0.0, False, 10),
        (None, 0.0, False, 0),
        (4, 0.9, False, 0),
        (0, 1.0, True, 0),
    ],
)
def test_discount_is_the_first_tier_reached(depth: int | None, trust: float, bot: bool, percent: int) -> None:
    assert discount_percent(depth, trust, bot, TIERS) == percent


def test_score_carries_every_figure() -> None:
    score = figures_of(facts(), TRUSTED, SETTINGS, NOW)

    assert (score.pubkey, score.followers_count, score.following_count) == (TARGET, 10, 100)
    assert (score.wot_depth, score.trust_score, score.computed_at) == (2, 0.6, NOW)
    assert score.account_age_score == 1.0
    assert score.discount_percent == 20


def test_settings_reject_bad_values_naming_them() -> None:
    with pytest.raises(InvalidInput) as raised:
        WotSettings(seeds=("npub1abc", SEED), max_depth=0, cache_ttl=0, damping=1.0)

    assert set(raised.value.errors) >= {"seeds", "max_depth", "cache_ttl", "damping"}


def test_fingerprint_follows_what_shapes_a_score() -> None:
    base = WotSettings(seeds=(SEED,))

    assert base.fingerprint() == WotSettings(seeds=(SEED,), request_deadline=1.0).fingerprint()
    assert base.fingerprint() != WotSettings(seeds=(SEED, TARGET)).fingerprint()
    assert base.fingerprint() != WotSettings(seeds=(SEED,), max_depth=2).fingerprint()


def test_a_seed_without_events_of_its_own_is_not_a_likely_bot() -> None:
    seed = TrustPosition(depth=0, trust_score=1.0, trusted_followers=0)
    empty = facts(pubkey=SEED, followers_count=0, has_profile=False, oldest_event_at=None, recent_notes=0)

    figures = figures_of(empty, seed, SETTINGS, NOW)
    stranger = figures_of(
        facts(has_profile=False, oldest_event_at=None, recent_notes=0), TRUSTED, SETTINGS, NOW
    )

    assert (figures.is_likely_bot, figures.bot_reasons) == (False, ())
    assert figures.discount_percent == 30
    # The same facts about anyone else still make two reasons.
    assert stranger.bot_reasons == (YOUNG_ACCOUNT, NO_PROFILE)
    assert stranger.is_likely_bot
