"""What trusted mutes and reports do to the figures (V3), pure."""

from datetime import UTC, datetime

from domain.wot.figures import WotFigures
from domain.wot.negative_signals import REPORTED_BY_TRUSTED, NegativeSignals, with_negative_signals
from domain.wot.settings import BotThresholds, WotSettings
from tests.unit.wot.world import PUB

FIGURES = WotFigures(
    pubkey=PUB["carol"],
    followers_count=5,
    following_count=1,
    wot_depth=1,
    trust_score=0.9,
    is_likely_bot=False,
    bot_reasons=("no_profile",),
    account_age_score=1.0,
    activity_score=0.5,
    discount_percent=30,
    computed_at=datetime(2025, 6, 1, tzinfo=UTC),
)
SETTINGS = WotSettings(seeds=(PUB["seed"],), bots=BotThresholds(max_trusted_reports=2))


def test_v3_trust_is_divided_by_the_weighted_signals_and_the_discount_follows() -> None:
    lowered = with_negative_signals(
        FIGURES, NegativeSignals(muted_by_trusted=2, reported_by_trusted=1), SETTINGS
    )

    assert lowered.trust_score == 0.9 / (1 + 0.5 * 2 + 1.0 * 1)
    assert (lowered.muted_by_trusted, lowered.reported_by_trusted) == (2, 1)
    assert lowered.discount_percent == 10  # depth 1 but trust 0.3: only the depth-3 tier is left
    assert REPORTED_BY_TRUSTED not in lowered.bot_reasons


def test_v3_trusted_reports_at_the_setting_add_a_reason_that_counts_toward_a_bot() -> None:
    reported = with_negative_signals(FIGURES, NegativeSignals(reported_by_trusted=2), SETTINGS)
    unsignalled = with_negative_signals(FIGURES, NegativeSignals(), SETTINGS)

    assert reported.bot_reasons == ("no_profile", REPORTED_BY_TRUSTED)
    assert reported.is_likely_bot and reported.discount_percent == 0
    assert unsignalled == FIGURES
