"""Web of Trust wiring: the figures use cases for the seeds resolved at start-up, the figures from
any viewer's perspective, explained figures, NIP-85 assertions, and the demo."""

import logging

from dependency_injector import containers, providers

from application.demo.seed_demo_graph import SeedDemoGraph
from application.wot.admission import ComputeAdmission
from application.wot.calculator import WotCalculator
from application.wot.compute_figures import ComputeWotFigures, ComputeWotFiguresBatch
from application.wot.explain_figures import ExplainFigures
from application.wot.publish_assertion import DescribeProvider, PublishAssertion
from application.wot.publish_assertions_job import PublishOwnersAssertions
from application.wot.shared_neighbourhood import SharedNeighbourhood
from application.wot.viewer_figures import (
    ComputeViewerFigures,
    ComputeViewerFiguresBatch,
    ViewerNeighbourhoods,
)
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
    service_key = providers.Dependency(instance_of=str)
    unit_of_work = providers.Dependency()

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

    # A viewer's perspective: the viewer as the only seed, each viewer's neighbourhood shared like the
    # seeds' (the calculator and neighbourhood are built per viewer from these factories).
    make_wot_calculator = providers.Factory(WotCalculator, relay)
    make_wot_neighbourhood = providers.Factory(SharedNeighbourhood, cache=cache, clock=clock)
    viewer_neighbourhoods = providers.Singleton(
        ViewerNeighbourhoods,
        calculator=make_wot_calculator.provider,
        neighbourhood=make_wot_neighbourhood.provider,
    )
    compute_viewer_figures = providers.Factory(
        ComputeViewerFigures, compute_wot_figures, viewer_neighbourhoods, wot_settings
    )
    compute_viewer_figures_batch = providers.Factory(
        ComputeViewerFiguresBatch, compute_wot_figures_batch, viewer_neighbourhoods, wot_settings
    )
    explain_wot_figures = providers.Factory(
        ExplainFigures,
        calculator=wot_calculator,
        neighbourhood=wot_neighbourhood,
        viewers=viewer_neighbourhoods,
        relay=relay,
        clock=clock,
        settings=wot_settings,
    )
    # NIP-85 assertions, signed by the service key (a derived key per viewer), published, never stored.
    publish_wot_assertion = providers.Factory(
        PublishAssertion,
        figures=compute_wot_figures,
        viewer_figures=compute_viewer_figures,
        calculator=wot_calculator,
        relay=relay,
        clock=clock,
        service_secret_key=service_key,
    )
    describe_wot_provider = providers.Factory(DescribeProvider, service_key, settings.provided.relay_urls)
    publish_owners_assertions = providers.Factory(
        PublishOwnersAssertions, unit_of_work=unit_of_work.provider, publish=publish_wot_assertion
    )


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
