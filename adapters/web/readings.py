"""Web of Trust figures read out in plain words for the trust pages.

The figures and the bot checks come from the use cases (ComputeWotFigures, ExplainFigures); this
module only says them: which thresholds hold is never decided here.
"""

from dataclasses import dataclass

from domain.wot.explanation import Explanation, ReasonCheck
from domain.wot.figures import (
    IMPLAUSIBLE_NOTE_RATE,
    MASS_FOLLOWING,
    NO_PROFILE,
    NO_TRUSTED_FOLLOWER,
    YOUNG_ACCOUNT,
    WotFigures,
)
from domain.wot.negative_signals import REPORTED_BY_TRUSTED


def _accounts(count: int) -> str:
    return f"{count:,} account" if count == 1 else f"{count:,} accounts"


def _number(value: float) -> str:
    """Whole numbers from 10 up, one decimal below (1.7 days, 1,071 days)."""
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def reason_text(check: ReasonCheck) -> str:
    """One bot check as a sentence about the account."""
    value, threshold = _number(check.value), _number(check.threshold)
    texts = {
        NO_TRUSTED_FOLLOWER: "no account in the web of trust follows it",
        MASS_FOLLOWING: f"it follows {value} accounts, more than {threshold}",
        YOUNG_ACCOUNT: f"its oldest event found is {value} days old, younger than {threshold} days",
        IMPLAUSIBLE_NOTE_RATE: f"it posts {value} notes a day, more than {threshold}",
        NO_PROFILE: "it has published no profile (kind 0)",
        REPORTED_BY_TRUSTED: f"{value} trusted accounts reported it, at least {threshold}",
    }
    return texts.get(check.reason, check.reason.replace("_", " "))


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    reading: str


def depth_reading(depth: int | None) -> str:
    if depth is None:
        return "not within reach of the seeds' follows"
    if depth == 0:
        return "one of the seeds of this web of trust"
    return "1 hop from the seeds" if depth == 1 else f"{depth} hops from the seeds"


def trust_reading(figures: WotFigures) -> str:
    if figures.trust_score <= 0:
        return "no trust reaches it from the seeds"
    reading = f"ranked at or above {round(figures.trust_score * 100)}% of the web of trust"
    lowered = []
    if figures.muted_by_trusted:
        lowered.append(f"muted by {_accounts(figures.muted_by_trusted)} in it")
    if figures.reported_by_trusted:
        lowered.append(f"reported by {_accounts(figures.reported_by_trusted)} in it")
    return reading + (f", lowered as it is {' and '.join(lowered)}" if lowered else "")


def viewer_depth_reading(depth: int | None) -> str:
    if depth is None:
        return "not within reach of your follows"
    if depth == 0:
        return "this is you"
    return "you follow it" if depth == 1 else f"{depth} hops from you"


def viewer_trust_reading(trust_score: float) -> str:
    if trust_score <= 0:
        return "no trust reaches it from you"
    return f"ranked at or above {round(trust_score * 100)}% of the web of trust seen from you"


def viewer_figures_read(figures: WotFigures) -> list[Figure]:
    """Depth and trust with the signed-in person as the only seed (ComputeViewerFigures)."""
    return [
        Figure(
            "Depth",
            "none" if figures.wot_depth is None else str(figures.wot_depth),
            viewer_depth_reading(figures.wot_depth),
        ),
        Figure("Trust", f"{figures.trust_score:.2f}", viewer_trust_reading(figures.trust_score)),
    ]


def bot_reading(figures: WotFigures) -> str:
    return "a likely bot" if figures.is_likely_bot else "not a likely bot"


def discount_reading(figures: WotFigures) -> str:
    if figures.discount_percent:
        return f"earns a {figures.discount_percent}% discount on plans"
    return "earns no discount on plans"


def summary(figures: WotFigures) -> str:
    """`followed by 22 accounts, 2 hops from the seeds, not a likely bot: earns a 20% discount on plans`"""
    return (
        f"followed by {_accounts(figures.followers_count)}, {depth_reading(figures.wot_depth)}, "
        f"{bot_reading(figures)}: {discount_reading(figures)}"
    )


def _notes_reading(per_day: float) -> str:
    return "no notes lately; " if per_day == 0 else f"about {_number(per_day)} notes a day lately; "


def _check(explanation: Explanation | None, reason: str) -> ReasonCheck | None:
    if explanation is None:
        return None
    return next((check for check in explanation.bot_reasons if check.reason == reason), None)


def figures_read(figures: WotFigures, explanation: Explanation | None) -> list[Figure]:
    """The figures in the trust page's order, each with its value and its plain reading."""
    age = _check(explanation, YOUNG_ACCOUNT)
    notes = _check(explanation, IMPLAUSIBLE_NOTE_RATE)
    if explanation is not None:
        holding = [reason_text(check) for check in explanation.bot_reasons if check.holds]
    else:
        holding = [reason.replace("_", " ") for reason in figures.bot_reasons]
    bot = bot_reading(figures)
    if holding:
        bot += f" ({len(holding)} sign{'s' if len(holding) != 1 else ''}: {'; '.join(holding)})"
    return [
        Figure(
            "Followers", f"{figures.followers_count:,}", f"followed by {_accounts(figures.followers_count)}"
        ),
        Figure("Following", f"{figures.following_count:,}", f"follows {_accounts(figures.following_count)}"),
        Figure(
            "Depth",
            "none" if figures.wot_depth is None else str(figures.wot_depth),
            depth_reading(figures.wot_depth),
        ),
        Figure("Trust", f"{figures.trust_score:.2f}", trust_reading(figures)),
        Figure("Likely bot", "yes" if figures.is_likely_bot else "no", bot),
        Figure(
            "Account age",
            f"{figures.account_age_score:.2f}",
            (f"its oldest event found is {_number(age.value)} days old; " if age else "")
            + "older accounts score higher, up to 1",
        ),
        Figure(
            "Activity",
            f"{figures.activity_score:.2f}",
            (_notes_reading(notes.value) if notes else "") + "more recent notes score higher, up to 1",
        ),
        Figure("Discount", f"{figures.discount_percent}%", discount_reading(figures)),
    ]
