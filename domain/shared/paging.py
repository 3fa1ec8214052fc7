"""Keyset paging: a cursor names the last item seen by its time and id."""

import re
from datetime import UTC, datetime, timedelta
from uuid import UUID

from msgspec import Struct

from domain.shared.errors import InvalidInput

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# A cursor as text: microseconds since 1970 (UTC), `_`, the id in hex. Every text of this shape is
# a cursor, so the shape is the whole rule.
CURSOR_PATTERN = "^[0-9]{1,16}_[0-9a-f]{32}$"
_CURSOR_SHAPE = re.compile(CURSOR_PATTERN)


class PageCursor(Struct, frozen=True, kw_only=True):
    """Items strictly after (at, id), in ascending (time, id) order."""

    at: datetime
    id: UUID

    @property
    def text(self) -> str:
        return f"{max(0, (self.at - _EPOCH) // _MICROSECOND)}_{self.id.hex}"


def parse_page_cursor(value: str) -> PageCursor:
    """The cursor a text names; InvalidInput when the text is not of a cursor's shape."""
    if _CURSOR_SHAPE.fullmatch(value) is None:
        raise InvalidInput("cursor is not one this API gave out", {"cursor": "unknown cursor"})
    micros, id_hex = value.split("_")
    return PageCursor(at=_EPOCH + int(micros) * _MICROSECOND, id=UUID(hex=id_hex))
