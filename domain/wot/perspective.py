"""Figures as one viewer sees them: depth and trust measured from the viewer alone."""

import msgspec

from domain.wot.figures import WotFigures
from domain.wot.negative_signals import NegativeSignals, lowered_trust
from domain.wot.neighbourhood import TrustPosition
from domain.wot.settings import WotSettings


def seen_by_viewer(figures: WotFigures, position: TrustPosition, settings: WotSettings) -> WotFigures:
    """`figures` with depth and trust replaced by the pubkey's position in the viewer's neighbourhood.

    Trust is lowered by the same trusted mutes and reports; counts, bot reasons, age, activity and
    the discount stay as the service's seeds give them.
    """
    signals = NegativeSignals(
        muted_by_trusted=figures.muted_by_trusted, reported_by_trusted=figures.reported_by_trusted
    )
    trust = lowered_trust(position.trust_score, signals, settings)
    return msgspec.structs.replace(figures, wot_depth=position.depth, trust_score=trust)
