"""TTL rules both cache adapters share, so they round and reject the same values."""

import math

MAX_COUNTER = 2**63 - 1
MIN_COUNTER = -(2**63)


def ttl_milliseconds(ttl: float) -> int:
    """Converts a TTL in seconds to whole milliseconds, the precision Redis keeps.

    A positive TTL below half a millisecond still expires (after 1 ms) rather than never.
    """
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not math.isfinite(ttl) or ttl <= 0:
        raise ValueError(f"ttl must be a positive number of seconds, got {ttl!r}")
    return max(1, round(ttl * 1000))


def check_amount(amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError(f"increment amount must be an integer, got {amount!r}")
    if not MIN_COUNTER <= amount <= MAX_COUNTER:
        raise ValueError(f"increment amount {amount} is outside the 64-bit counter range")
    return amount


def rate_interval(limit: int, period: float) -> int:
    """Microseconds between two attempts under `limit` per `period` seconds (GCRA's emission interval).

    Whole microseconds, rounded up, so both adapters compute the same schedule exactly.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive integer, got {limit!r}")
    number = isinstance(period, int | float) and not isinstance(period, bool)
    if not number or not math.isfinite(period) or period <= 0:
        raise ValueError(f"period must be a positive number of seconds, got {period!r}")
    return max(1, math.ceil(period * 1_000_000 / limit))


def check_field(field: str) -> str:
    if not isinstance(field, str) or not field:
        raise ValueError("counter field names are non-empty strings")
    return field
