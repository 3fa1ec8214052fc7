"""Mutes (NIP-51 kind 10000) and reports (NIP-56 kind 1984) by trusted members, and what they do."""

import msgspec

from domain.nostr.event import Event
from domain.nostr.pubkeys import is_hex_pubkey
from domain.wot.figures import WotFigures, discount_percent
from domain.wot.settings import WotSettings

MUTE_LIST_KIND = 10000
REPORT_KIND = 1984
REPORTED_BY_TRUSTED = "reported_by_trusted"


class NegativeSignals(msgspec.Struct, frozen=True):
    """Trusted members whose newest mute list holds the pubkey, and trusted members who reported it."""

    muted_by_trusted: int = 0
    reported_by_trusted: int = 0


def tagged_pubkeys(event: Event | None, kind: int) -> set[str]:
    """Valid hex pubkeys in the public `p` tags of an event of `kind`, its author excluded.

    A mute list's encrypted private part (its content) is not read: nobody but its author can.
    """
    if event is None or event.kind != kind:
        return set()
    return {
        tag[1]
        for tag in event.tags
        if len(tag) >= 2 and tag[0] == "p" and is_hex_pubkey(tag[1]) and tag[1] != event.pubkey
    }


def lowered_trust(trust: float, signals: NegativeSignals, settings: WotSettings) -> float:
    """trust / (1 + mute_weight * muted_by_trusted + report_weight * reported_by_trusted)."""
    weight = (
        settings.mute_weight * signals.muted_by_trusted + settings.report_weight * signals.reported_by_trusted
    )
    return trust / (1.0 + weight)


def with_negative_signals(figures: WotFigures, signals: NegativeSignals, settings: WotSettings) -> WotFigures:
    """The figures with the counts set, trust lowered, and the `reported_by_trusted` reason when
    trusted reports reach `bots.max_trusted_reports`; the bot verdict and discount follow."""
    reasons = figures.bot_reasons
    if signals.reported_by_trusted >= settings.bots.max_trusted_reports:
        reasons = (*reasons, REPORTED_BY_TRUSTED)
    trust = lowered_trust(figures.trust_score, signals, settings)
    is_likely_bot = len(reasons) >= settings.bots.min_reasons
    return msgspec.structs.replace(
        figures,
        trust_score=trust,
        bot_reasons=reasons,
        is_likely_bot=is_likely_bot,
        discount_percent=discount_percent(figures.wot_depth, trust, is_likely_bot, settings.discount_tiers),
        muted_by_trusted=signals.muted_by_trusted,
        reported_by_trusted=signals.reported_by_trusted,
    )
