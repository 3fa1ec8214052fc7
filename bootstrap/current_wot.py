"""The Web of Trust use cases, wired for the settings in force now.

With WOT_SEEDS unset, the seeds are those `nostr-id demo seed` recorded in DATA_DIR/demo.json. A
running server checks that file's stamp on every request (one `stat`), and when `demo seed`
rewrote it, wires the use cases afresh for the new seeds: no restart. Cached figures never mix,
since their keys carry the settings' fingerprint.
"""

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from application.wot.calculator import WotCalculator
from application.wot.compute_figures import ComputeWotFigures, ComputeWotFiguresBatch
from application.wot.shared_neighbourhood import SharedNeighbourhood
from bootstrap.settings import Settings, SettingsError
from bootstrap.wot_settings import DEMO_FILE
from domain.wot.settings import WotSettings

logger = logging.getLogger(__name__)

_Stamp = tuple[int, int, int] | None


class WotUseCases(NamedTuple):
    settings: WotSettings
    neighbourhood: SharedNeighbourhood
    figures: ComputeWotFigures
    batch: ComputeWotFiguresBatch


class WotFactories(NamedTuple):
    """The container's factories of the Web of Trust classes; the settings are given per wiring."""

    calculator: Callable[..., WotCalculator]
    neighbourhood: Callable[..., SharedNeighbourhood]
    figures: Callable[..., ComputeWotFigures]
    batch: Callable[..., ComputeWotFiguresBatch]


class CurrentWot:
    """Hands out the use cases for the current Web of Trust settings; one instance per process."""

    def __init__(
        self, settings: Settings, wot_settings: Callable[[], WotSettings], make: WotFactories
    ) -> None:
        self._settings = settings
        self._wot_settings = wot_settings
        self._make = make
        self._demo_file = Path(settings.data_dir) / DEMO_FILE
        self._stamp = self._demo_stamp()
        self._wired = self._wire(wot_settings())

    def __call__(self) -> WotUseCases:
        stamp = self._demo_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                settings = self._wot_settings()
            except SettingsError as error:
                logger.warning("keeping the current Web of Trust seeds: %s", error)
                return self._wired
            if settings.fingerprint() != self._wired.settings.fingerprint():
                logger.info("Web of Trust seeds changed (%s): %d seeds", self._demo_file, len(settings.seeds))
                self._wired = self._wire(settings)
        return self._wired

    def _wire(self, settings: WotSettings) -> WotUseCases:
        calculator = self._make.calculator(settings=settings)
        neighbourhood = self._make.neighbourhood(calculator, settings=settings)
        figures = self._make.figures(calculator, neighbourhood, settings=settings)
        return WotUseCases(settings, neighbourhood, figures, self._make.batch(figures))

    def _demo_stamp(self) -> _Stamp:
        if self._settings.wot_seeds:
            return None
        try:
            found = os.stat(self._demo_file)
        except OSError:
            return None
        return (found.st_mtime_ns, found.st_size, found.st_ino)
