"""The Web of Trust use cases, wired for the settings in force now.

With WOT_SEEDS unset, the seeds are those `nostr-id demo seed` recorded in DATA_DIR/demo.json. A
running server checks that file's stamp on every request (one `stat`), and when `demo seed`
rewrote it, wires the use cases afresh for the new seeds: no restart. Cached figures never mix,
since their keys carry the settings' fingerprint.
"""

import logging
import os
from pathlib import Path
from typing import NamedTuple

from application.wot.admission import ComputeAdmission
from application.wot.calculator import WotCalculator
from application.wot.compute_figures import ComputeWotFigures, ComputeWotFiguresBatch
from application.wot.neighbourhood_source import SharedNeighbourhood
from bootstrap.settings import Settings, SettingsError
from bootstrap.wot_commands import DEMO_FILE, wot_settings
from domain.clock import Clock
from domain.ports.cache import Cache
from domain.ports.relay import RelayPort
from domain.wot.settings import WotSettings

logger = logging.getLogger(__name__)

_Stamp = tuple[int, int, int] | None


class WotUseCases(NamedTuple):
    settings: WotSettings
    neighbourhood: SharedNeighbourhood
    figures: ComputeWotFigures
    batch: ComputeWotFiguresBatch


def wire_wot(
    settings: WotSettings, relay: RelayPort, cache: Cache, clock: Clock, admission: ComputeAdmission
) -> WotUseCases:
    calculator = WotCalculator(relay, settings)
    neighbourhood = SharedNeighbourhood(calculator, cache, clock, settings)
    figures = ComputeWotFigures(calculator, neighbourhood, cache, clock, settings, admission)
    return WotUseCases(settings, neighbourhood, figures, ComputeWotFiguresBatch(figures))


class CurrentWot:
    """Hands out the use cases for the current Web of Trust settings; one instance per process."""

    def __init__(
        self, settings: Settings, relay: RelayPort, cache: Cache, clock: Clock, admission: ComputeAdmission
    ) -> None:
        self._settings = settings
        self._relay = relay
        self._cache = cache
        self._clock = clock
        self._admission = admission
        self._demo_file = Path(settings.data_dir) / DEMO_FILE
        self._stamp = self._demo_stamp()
        self._wired = self._wire(wot_settings(settings))

    def __call__(self) -> WotUseCases:
        stamp = self._demo_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                settings = wot_settings(self._settings)
            except SettingsError as error:
                logger.warning("keeping the current Web of Trust seeds: %s", error)
                return self._wired
            if settings.fingerprint() != self._wired.settings.fingerprint():
                logger.info("Web of Trust seeds changed (%s): %d seeds", self._demo_file, len(settings.seeds))
                self._wired = self._wire(settings)
        return self._wired

    def _wire(self, settings: WotSettings) -> WotUseCases:
        return wire_wot(settings, self._relay, self._cache, self._clock, self._admission)

    def _demo_stamp(self) -> _Stamp:
        if self._settings.wot_seeds:
            return None
        try:
            found = os.stat(self._demo_file)
        except OSError:
            return None
        return (found.st_mtime_ns, found.st_size, found.st_ino)
