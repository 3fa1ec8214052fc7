"""Figures as one viewer sees them: depth and trust measured from the viewer alone."""

import msgspec

from domain.wot.neighbourhood import TrustPosition
from domain.wot.scoring import WotFigures


def seen_by_viewer(figures: WotFigures, position: TrustPosition) -> WotFigures:
    """`figures` with depth and trust replaced by the pubkey's position in the viewer's neighbourhood.

    Counts, bot reasons, age, activity and the discount stay as the service's seeds give them.
    """
    return msgspec.structs.replace(figures, wot_depth=position.depth, trust_score=position.trust_score)
