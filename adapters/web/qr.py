"""QR codes drawn on the server as SVG (segno): the page needs no QR library."""

import segno
from markupsafe import Markup


def qr_svg(text: str) -> Markup:
    """`text` as a QR code, an SVG element to place inside the page (dark on a light quiet zone)."""
    # segno writes the SVG from the QR matrix alone: no part of `text` reaches the markup.
    return Markup(  # noqa: S704
        segno.make(text, error="m", micro=False).svg_inline(
            scale=4, border=4, dark="#000000", light="#ffffff", omitsize=True
        )
    )
