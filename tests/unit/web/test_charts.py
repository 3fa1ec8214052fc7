"""The pages' server-drawn charts: every day shown, bars scaled to the busiest, a label in words."""

import re
from datetime import date

from adapters.web.charts import bar_chart, daily_counts, requests_sentence

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 5)


def test_every_day_is_counted_once_days_outside_are_left_out_and_a_days_counts_add_up():
    counted = [(date(2026, 11, 2), 3), (date(2026, 11, 2), 2), (date(2026, 11, 4), 1), (date(2026, 12, 1), 9)]

    days = daily_counts(FIRST, LAST, counted)

    assert days == [
        (date(2026, 11, 1), 0),
        (date(2026, 11, 2), 5),
        (date(2026, 11, 3), 0),
        (date(2026, 11, 4), 1),
        (date(2026, 11, 5), 0),
    ]


def test_the_sentence_names_the_total_the_span_and_the_busiest_day():
    days = daily_counts(FIRST, LAST, [(date(2026, 11, 2), 5), (date(2026, 11, 4), 1)])

    assert (
        requests_sentence(days)
        == "6 requests from 2026-11-01 to 2026-11-05; the busiest day 2026-11-02 with 5."
    )
    assert requests_sentence(daily_counts(FIRST, LAST, [])) == "No requests from 2026-11-01 to 2026-11-05."


def test_the_busiest_day_is_the_full_height_and_an_empty_day_has_no_bar():
    days = daily_counts(FIRST, LAST, [(date(2026, 11, 2), 4), (date(2026, 11, 4), 1)])

    svg = str(bar_chart(days, "Requests per day"))

    heights = [float(h) for h in re.findall(r'<rect class="bar"[^>]* height="([0-9.]+)"', svg)]
    assert heights == [0.0, 60.0, 0.0, 15.0, 0.0]
    assert 'role="img"' in svg and 'aria-label="Requests per day"' in svg
    assert "<title>2026-11-02: 4</title>" in svg


def test_the_label_is_escaped():
    svg = str(bar_chart(daily_counts(FIRST, FIRST, []), 'key "<b>"'))

    assert 'aria-label="key &#34;&lt;b&gt;&#34;"' in svg
