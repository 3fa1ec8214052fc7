from hypothesis import given
from hypothesis import strategies as st

from adapters.relay.chunking import split_filter
from domain.nostr.event import Event, Filter
from domain.nostr.filters import matches


def test_short_filters_are_left_alone() -> None:
    filter_ = Filter(authors=("a", "b"), kinds=(1,))
    assert split_filter(filter_, 2) == [filter_]


def test_long_lists_are_cut_and_deduplicated() -> None:
    pieces = split_filter(Filter(authors=tuple("abcdea"), kinds=(3,), limit=5), 2)
    assert [p.authors for p in pieces] == [("a", "b"), ("c", "d"), ("e",)]
    assert all(p.kinds == (3,) and p.limit == 5 for p in pieces)


def test_several_long_lists_give_every_combination() -> None:
    pieces = split_filter(Filter(ids=tuple("abc"), tags={"p": tuple("xyz")}), 2)
    assert len(pieces) == 4
    assert {(p.ids, p.tags["p"]) for p in pieces if p.tags} == {
        (("a", "b"), ("x", "y")),
        (("a", "b"), ("z",)),
        (("c",), ("x", "y")),
        (("c",), ("z",)),
    }


def test_an_empty_list_stays_empty() -> None:
    assert split_filter(Filter(authors=()), 3) == [Filter(authors=())]


@given(
    authors=st.lists(st.sampled_from("abcdefgh"), max_size=8),
    tag_values=st.lists(st.sampled_from("uvwxyz"), max_size=6) | st.none(),
    event_author=st.sampled_from("abcdefgh"),
    event_tag=st.sampled_from("uvwxyz"),
    size=st.integers(1, 4),
)
def test_the_pieces_select_exactly_what_the_filter_selects(
    authors: list[str], tag_values: list[str] | None, event_author: str, event_tag: str, size: int
) -> None:
    filter_ = Filter(
        authors=tuple(authors), tags={"p": tuple(tag_values)} if tag_values is not None else None
    )
    event = Event("0" * 64, event_author, 1, 1, [["p", event_tag]], "", "0" * 128)
    pieces = split_filter(filter_, size)
    assert any(matches(p, event) for p in pieces) == matches(filter_, event)
    assert all(len(p.authors or ()) <= size for p in pieces)
