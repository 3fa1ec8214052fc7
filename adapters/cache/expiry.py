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
