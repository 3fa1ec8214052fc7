"""Web of Trust wiring: the figures use cases for the seeds resolved at start-up, and the demo."""

import logging

from dependency_injector import containers, providers

from application.demo.seed_demo_graph import SeedDemoGraph
from application.wot.admission import ComputeAdmission
from application.wot.calculator import WotCalculator
from application.wot.compute_figures import ComputeWotFigures, ComputeWotFiguresBatch
from application.wot.shared_neighbourhood import SharedNeighbourhood
from bootstrap.settings import Settings, SettingsError
from bootstrap.wot_settings import wot_settings as wot_settings_of
from domain.wot.settings import WotSettings

logger = logging.getLogger(__name__)

# Cold score computations running at once per process; more queue, or are refused at once when
# they could not start within the request deadline.
WOT_COLD_COMPUTATIONS = 64


class WotContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    relay = providers.Dependency()
    cache = providers.Dependency()
    clock = providers.Dependency()

    # Resolved once, at start-up; `reload_wot_settings` reads them again. Override to fix them.
    wot_settings = providers.Singleton(wot_settings_of, settings)
    # The per-process admission gate for cold computations, kept across reloads.
    wot_admission = providers.Singleton(ComputeAdmission, WOT_COLD_COMPUTATIONS)
    wot_calculator = providers.Singleton(WotCalculator, relay, settings=wot_settings)
    wot_neighbourhood = providers.Singleton(
        SharedNeighbourhood, wot_calculator, cache=cache, clock=clock, settings=wot_settings
    )
    compute_wot_figures = providers.Singleton(
        ComputeWotFigures,
        wot_calculator,
        wot_neighbourhood,
        cache=cache,
        clock=clock,
        settings=wot_settings,
        admission=wot_admission,
    )
    compute_wot_figures_batch = providers.Singleton(ComputeWotFiguresBatch, compute_wot_figures)
    seed_demo_graph = providers.Factory(SeedDemoGraph, relay, clock)


def reload_wot_settings(wot: WotContainer) -> bool:
    """Reads the trust seeds again (WOT_SEEDS, else the last demo's record); when they changed, the
    use cases are wired afresh for them. Cached figures never mix: their keys carry the settings'
    fingerprint. Answers whether anything changed."""
    try:
        fresh: WotSettings = wot_settings_of(wot.settings())
    except SettingsError as error:
        logger.warning("keeping the current Web of Trust seeds: %s", error)
        return False
    current: WotSettings = wot.wot_settings()
    if fresh.fingerprint() == current.fingerprint():
        return False
    logger.info("Web of Trust seeds changed: %d seeds", len(fresh.seeds))
    for singleton in (
        wot.wot_settings,
        wot.wot_calculator,
        wot.wot_neighbourhood,
        wot.compute_wot_figures,
        wot.compute_wot_figures_batch,
    ):
        singleton.reset()
    return True
