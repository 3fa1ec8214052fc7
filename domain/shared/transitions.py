"""Status machines: which status may follow which."""

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from domain.shared.errors import InvalidTransition

S = TypeVar("S", bound=StrEnum)


def check_transition(record: str, current: S, target: S, allowed: Mapping[S, frozenset[S]]) -> S:
    """Returns `target` when `current -> target` is allowed; raises InvalidTransition otherwise."""
    if target not in allowed.get(current, frozenset()):
        raise InvalidTransition(f"{record} cannot go from {current.value} to {target.value}")
    return target
