import pytest

from domain.nostr.event import Event, Filter
from domain.nostr.filters import can_match, matches, select, select_any


def event(
    id_: str = "a" * 64,
    pubkey: str = "1" * 64,
    created_at: int = 100,
    kind: int = 1,
    tags: list[list[str]] | None = None,
) -> Event:
    return Event(id_, pubkey, created_at, kind, tags or [], "", "0" * 128)


def test_empty_filter_matches_everything() -> None:
    assert matches(Filter(), event())


@pytest.mark.parametrize(
    "filter_, expected",
    [
        (Filter(ids=("a" * 64,)), True),
        (Filter(ids=("b" * 64,)), False),
        (Filter(ids=("a" * 10,)), False),  # prefixes are not matches
        (Filter(authors=("1" * 64, "2" * 64)), True),
        (Filter(authors=("2" * 64,)), False),
        (Filter(kinds=(0, 1)), True),
        (Filter(kinds=(3,)), False),
        (Filter(since=100), True),
        (Filter(since=101), False),
        (Filter(until=100), True),
        (Filter(until=99), False),
        (Filter(ids=(), kinds=(1,)), False),
        (Filter(authors=()), False),
        (Filter(kinds=()), False),
    ],
)
def test_each_condition(filter_: Filter, expected: bool) -> None:
    assert matches(filter_, event()) is expected


def test_all_conditions_must_hold() -> None:
    assert not matches(Filter(kinds=(1,), authors=("2" * 64,)), event())
    assert matches(Filter(kinds=(1,), authors=("1" * 64,), since=50, until=150), event())


@pytest.mark.parametrize(
    "tags, condition, expected",
    [
        ([["p", "x"]], {"p": ("x",)}, True),
        ([["p", "x"]], {"p": ("y", "x")}, True),
        ([["p", "x"]], {"p": ("y",)}, False),
        ([["e", "x"]], {"p": ("x",)}, False),
        ([["p"]], {"p": ("x",)}, False),
        ([["p", "y", "x"]], {"p": ("x",)}, False),  # only the first value is indexed
        ([["p", "x"], ["t", "n"]], {"p": ("x",), "t": ("n",)}, True),
        ([["p", "x"]], {"p": ("x",), "t": ("n",)}, False),
        ([["p", "x"]], {"p": ()}, False),
        ([["P", "x"]], {"p": ("x",)}, False),
    ],
)
def test_tag_conditions(tags: list[list[str]], condition: dict[str, tuple[str, ...]], expected: bool) -> None:
    assert matches(Filter(tags=condition), event(tags=tags)) is expected


def test_select_orders_newest_first_then_lowest_id_and_applies_limit() -> None:
    events = [
        event("c" * 64, created_at=5),
        event("b" * 64, created_at=9),
        event("a" * 64, created_at=9),
        event("d" * 64, created_at=1),
    ]
    assert [e.id[0] for e in select(Filter(), events)] == ["a", "b", "c", "d"]
    assert [e.id[0] for e in select(Filter(limit=2), events)] == ["a", "b"]
    assert select(Filter(limit=0), events) == []


def test_select_any_is_a_union_with_limits_per_filter() -> None:
    events = [event(str(n) * 64, created_at=n, kind=n % 2) for n in range(1, 8)]
    selected = select_any([Filter(kinds=(0,), limit=1), Filter(kinds=(1,), limit=2), Filter(since=6)], events)
    assert [e.created_at for e in selected] == [7, 6, 5]


def test_can_match_spots_filters_that_select_nothing() -> None:
    assert can_match(Filter())
    assert can_match(Filter(kinds=(1,), limit=5))
    assert not can_match(Filter(kinds=()))
    assert not can_match(Filter(tags={"p": ()}))
    assert not can_match(Filter(limit=0))
    assert not can_match(Filter(since=10, until=9))
