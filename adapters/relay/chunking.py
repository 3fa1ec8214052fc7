"""Splitting long id, author and tag lists into filters a relay accepts."""

import itertools

import msgspec

from domain.nostr.event import Filter


def split_filter(filter_: Filter, chunk_size: int) -> list[Filter]:
    """Filters that together select what `filter_` selects, no list longer than `chunk_size`.

    Each long list is cut into chunks; with several long lists, every combination of chunks.
    """
    ids = _chunks(filter_.ids, chunk_size)
    authors = _chunks(filter_.authors, chunk_size)
    tag_names = sorted(filter_.tags or {})
    tag_chunks = [_chunks((filter_.tags or {})[name], chunk_size) for name in tag_names]
    pieces = []
    for id_chunk, author_chunk, *tag_values in itertools.product(ids, authors, *tag_chunks):
        tags = dict(zip(tag_names, tag_values, strict=True)) if tag_names else filter_.tags
        pieces.append(msgspec.structs.replace(filter_, ids=id_chunk, authors=author_chunk, tags=tags))
    return pieces


def _chunks(values: tuple[str, ...] | None, size: int) -> list[tuple[str, ...] | None]:
    if values is None:
        return [None]
    unique = tuple(dict.fromkeys(values))
    return [unique[start : start + size] for start in range(0, len(unique), size)] or [()]
