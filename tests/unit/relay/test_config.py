from collections.abc import Callable

import pytest

from adapters.relay.config import RelayLimits, RelayTimeouts


@pytest.mark.parametrize(
    "make",
    [
        lambda: RelayTimeouts(deadline=0),
        lambda: RelayLimits(page_size=0),
        lambda: RelayLimits(chunk_size=0),
        lambda: RelayLimits(max_events=0),
        lambda: RelayLimits(max_bytes=-1),
    ],
)
def test_a_group_refuses_a_value_the_pool_cannot_work_with(make: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        make()
