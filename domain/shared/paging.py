"""Keyset paging: a cursor names the last item seen by its time and id."""

from datetime import datetime
from uuid import UUID

from msgspec import Struct


class PageCursor(Struct, frozen=True, kw_only=True):
    """Items strictly after (at, id), in ascending (time, id) order."""

    at: datetime
    id: UUID
