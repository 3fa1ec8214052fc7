"""Small charts drawn on the server as SVG: no chart library, no script, readable without sight.

The SVG is an image (`role="img"`) whose label says what it shows in words; the page puts the same
figures in a table beside it for those who want each day.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from markupsafe import Markup, escape

WIDTH = 300
HEIGHT = 60
GAP = 1


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def daily_counts(first: date, last: date, counted: Iterable[tuple[date, int]]) -> list[tuple[date, int]]:
    """One (day, count) for every day from `first` to `last`, the counts of a day added up."""
    totals = dict.fromkeys(days_between(first, last), 0)
    for day, count in counted:
        if day in totals:
            totals[day] += count
    return list(totals.items())


def requests_sentence(days: list[tuple[date, int]]) -> str:
    """`12 requests from 2026-11-07 to 2026-12-06; the busiest day 2026-12-01 with 5.`"""
    if not days:
        return "No days to show."
    total = sum(count for _, count in days)
    span = f"from {days[0][0].isoformat()} to {days[-1][0].isoformat()}"
    if total == 0:
        return f"No requests {span}."
    busiest, most = max(days, key=lambda item: (item[1], item[0]))
    noun = "request" if total == 1 else "requests"
    return f"{total} {noun} {span}; the busiest day {busiest.isoformat()} with {most}."


def bar_chart(days: list[tuple[date, int]], label: str) -> Markup:
    """A bar per day, scaled to the busiest day; `label` names the image for screen readers."""
    most = max((count for _, count in days), default=0)
    step = WIDTH / max(1, len(days))
    bars = []
    for index, (day, count) in enumerate(days):
        height = 0.0 if count == 0 else max(1.0, HEIGHT * count / most)
        bars.append(
            f'<rect class="bar" x="{index * step:.2f}" y="{HEIGHT - height:.2f}" '
            f'width="{max(0.5, step - GAP):.2f}" height="{height:.2f}">'
            f"<title>{day.isoformat()}: {count}</title></rect>"
        )
    # Only numbers, dates and the escaped label reach the markup.
    return Markup(  # noqa: S704
        f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {HEIGHT + 1}" '
        f'preserveAspectRatio="none" focusable="false">'
        f'<line class="axis" x1="0" y1="{HEIGHT + 0.5}" x2="{WIDTH}" y2="{HEIGHT + 0.5}"></line>'
        f"{''.join(bars)}</svg>"
    )
