"""Figures from one viewer's perspective: depth and trust with the viewer as the only seed."""

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import msgspec

from application.wot.calculator import WotCalculator
from application.wot.compute_figures import (
    ComputeWotFigures,
    ComputeWotFiguresBatch,
    ServedFigures,
    UnavailableFigures,
)
from application.wot.shared_neighbourhood import SharedNeighbourhood
from domain.nostr.nip19 import parse_pubkey
from domain.shared.errors import InvalidInput
from domain.wot.neighbourhood import Neighbourhood
from domain.wot.perspective import seen_by_viewer
from domain.wot.settings import WotSettings

A = TypeVar("A")
B = TypeVar("B")

# Viewers whose neighbourhood a process keeps decoded; others are read again from the cache.
VIEWERS_KEPT = 256


class ViewerNeighbourhoods:
    """The trust neighbourhood seeded at one viewer alone, per viewer; one instance per process.

    Each viewer's neighbourhood is a SharedNeighbourhood for the settings in force with the viewer
    as the only seed: built once per TTL for every process (single flight through the cache), kept
    in the cache under its own fingerprint, served stale within the stale window like the seeds'.
    """

    def __init__(
        self,
        calculator: Callable[..., WotCalculator],
        neighbourhood: Callable[..., SharedNeighbourhood],
        capacity: int = VIEWERS_KEPT,
    ) -> None:
        self._calculator = calculator
        self._neighbourhood = neighbourhood
        self._capacity = capacity
        self._kept: OrderedDict[str, SharedNeighbourhood] = OrderedDict()

    async def of(self, viewer: str, settings: WotSettings) -> Neighbourhood:
        """The viewer's neighbourhood (hex pubkey); raises NeighbourhoodUnavailable like the seeds'."""
        viewer_settings = msgspec.structs.replace(settings, seeds=(viewer,))
        key = viewer_settings.fingerprint()
        shared = self._kept.get(key)
        if shared is None:
            calculator = self._calculator(settings=viewer_settings)
            shared = self._neighbourhood(calculator, settings=viewer_settings)
            self._kept[key] = shared
            while len(self._kept) > self._capacity:
                self._kept.popitem(last=False)
        self._kept.move_to_end(key)
        return await shared.get()


def viewer_hex(viewer: str) -> str:
    """The viewer as a hex pubkey; a malformed one is invalid input about `viewer`."""
    try:
        return parse_pubkey(viewer)
    except InvalidInput as error:
        raise InvalidInput("the viewer is not a valid pubkey", {"viewer": str(error)}) from error


async def _both(first: Coroutine[Any, Any, A], second: Coroutine[Any, Any, B]) -> tuple[A, B]:
    """Runs both at once; when one fails, the other is cancelled and the failure raised."""
    tasks = (asyncio.ensure_future(first), asyncio.ensure_future(second))
    try:
        return await tasks[0], await tasks[1]
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
            elif not task.cancelled():
                task.exception()


class ComputeViewerFigures:
    """The figures of one pubkey with depth and trust as `viewer` sees them (see docs/wot.md)."""

    def __init__(
        self, figures: ComputeWotFigures, neighbourhoods: ViewerNeighbourhoods, settings: WotSettings
    ) -> None:
        self._figures = figures
        self._neighbourhoods = neighbourhoods
        self._settings = settings

    async def __call__(self, pubkey: str, viewer: str) -> ServedFigures:
        target = parse_pubkey(pubkey)
        seen_from = viewer_hex(viewer)
        served, neighbourhood = await _both(
            self._figures.for_hex(target), self._neighbourhoods.of(seen_from, self._settings)
        )
        return ServedFigures(
            figures=seen_by_viewer(served.figures, neighbourhood.position_of(target), self._settings),
            stale=served.stale,
        )


class ComputeViewerFiguresBatch:
    """Up to 100 pubkeys' figures as `viewer` sees them; items as ComputeWotFiguresBatch gives them."""

    def __init__(
        self, batch: ComputeWotFiguresBatch, neighbourhoods: ViewerNeighbourhoods, settings: WotSettings
    ) -> None:
        self._batch = batch
        self._neighbourhoods = neighbourhoods
        self._settings = settings

    async def __call__(self, pubkeys: list[str], viewer: str) -> list[ServedFigures | UnavailableFigures]:
        seen_from = viewer_hex(viewer)
        items, neighbourhood = await _both(
            self._batch(pubkeys), self._neighbourhoods.of(seen_from, self._settings)
        )
        return [
            item
            if isinstance(item, UnavailableFigures)
            else ServedFigures(
                figures=seen_by_viewer(
                    item.figures, neighbourhood.position_of(item.figures.pubkey), self._settings
                ),
                stale=item.stale,
            )
            for item in items
        ]
