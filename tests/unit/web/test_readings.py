"""Web of Trust figures in plain words: the readings say what the figures and checks decided."""

from datetime import UTC, datetime

from adapters.web.readings import figures_read, reason_text, summary
from adapters.web.trust import why
from domain.wot.explanation import Explanation, ReasonCheck
from domain.wot.figures import WotFigures

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def figures(**changed: object) -> WotFigures:
    values: dict[str, object] = {
        "pubkey": "a" * 64,
        "followers_count": 22,
        "following_count": 1,
        "wot_depth": 2,
        "trust_score": 0.5,
        "is_likely_bot": False,
        "bot_reasons": (),
        "account_age_score": 1.0,
        "activity_score": 0.2,
        "discount_percent": 20,
        "computed_at": NOW,
    }
    return WotFigures(**(values | changed))  # type: ignore[arg-type]


def check(reason: str, value: float, threshold: float, holds: bool) -> ReasonCheck:
    return ReasonCheck(reason=reason, value=value, threshold=threshold, holds=holds)


def test_the_summary_reads_followers_depth_bot_and_discount():
    assert summary(figures()) == (
        "followed by 22 accounts, 2 hops from the seeds, not a likely bot: earns a 20% discount on plans"
    )
    assert summary(figures(followers_count=1, wot_depth=None, is_likely_bot=True, discount_percent=0)) == (
        "followed by 1 account, not within reach of the seeds' follows, a likely bot: "
        "earns no discount on plans"
    )


def test_a_likely_bot_reads_the_checks_that_hold_with_their_values():
    explanation = Explanation(
        pubkey="a" * 64,
        paths=[],
        top_followers=[],
        bot_reasons=[
            check("no_trusted_follower", 0, 1, True),
            check("young_account", 1.734, 7, True),
            check("mass_following", 3, 750, False),
            check("implausible_note_rate", 0, 48, False),
        ],
    )

    read = {f.label: f for f in figures_read(figures(is_likely_bot=True), explanation)}

    assert read["Likely bot"].value == "yes"
    assert read["Likely bot"].reading == (
        "a likely bot (2 signs: no account in the web of trust follows it; "
        "its oldest event found is 1.7 days old, younger than 7 days)"
    )
    assert read["Account age"].reading.startswith("its oldest event found is 1.7 days old")
    assert read["Activity"].reading.startswith("no notes lately")
    assert [f.label for f in figures_read(figures(), None)] == [
        "Followers",
        "Following",
        "Depth",
        "Trust",
        "Likely bot",
        "Account age",
        "Activity",
        "Discount",
    ]


def test_large_values_read_as_whole_numbers_and_trust_names_what_lowered_it():
    assert reason_text(check("young_account", 1070.7, 7, False)) == (
        "its oldest event found is 1,071 days old, younger than 7 days"
    )
    read = {f.label: f for f in figures_read(figures(muted_by_trusted=2, reported_by_trusted=1), None)}
    assert read["Trust"].reading == (
        "ranked at or above 50% of the web of trust, lowered as it is muted by 2 accounts in it "
        "and reported by 1 account in it"
    )
    assert {f.label: f for f in figures_read(figures(trust_score=0.0), None)}["Trust"].reading == (
        "no trust reaches it from the seeds"
    )


def test_without_an_explanation_the_page_names_the_bot_reasons_the_figures_give():
    unexplained = why(figures(is_likely_bot=True, bot_reasons=("no_profile", "young_account")), None)

    assert unexplained.explained is False
    assert unexplained.reasons == ["no profile", "young account"]
    assert (unexplained.checks, unexplained.paths, unexplained.followers) == ([], [], [])
