"""One wiring: tests and benchmarks get the service from the container and `create_app`, never by hand."""

import ast
from pathlib import Path

from dependency_injector import providers
from litestar import Litestar
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from adapters.cache.memory_cache import MemoryCache
from adapters.relay.memory_relay import MemoryRelay
from bootstrap.container import Container
from domain.nostr.nip19 import encode_npub
from domain.shared.clock import FixedClock
from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore
from tests.support.app import FROZEN_AT, client_for, container_for_tests, settings_for_tests
from tests.unit.wot.world import PUB

ROOT = Path(__file__).resolve().parents[3]
# Unit tests of one building block with fakes, and the benchmark of the calculator alone: these build
# the class they measure. Anything else reaches application classes through the container.
BUILDING_BLOCK_TESTS = {
    ("tests/unit/test_check_readiness.py", "CheckReadiness"),
    ("tests/unit/wot/test_calculator.py", "WotCalculator"),
    ("tests/unit/wot/test_demo_graph.py", "WotCalculator"),
    ("bench/wot.py", "WotCalculator"),
    ("tests/integration/cache/test_verdicts.py", "Verdicts"),
    ("tests/integration/cache/test_notifying_cache.py", "Verdicts"),
    ("tests/support/verdict_process.py", "Verdicts"),
    ("tests/unit/zaps/test_receipts.py", "PublishZapReceipt"),
}


def wired_application_classes() -> set[str]:
    """The application classes the container builds."""
    names = set()
    features = [
        p.container.providers for p in Container.cls_providers.values() if isinstance(p, providers.Container)
    ]
    for provider in [*Container.cls_providers.values(), *(p for f in features for p in f.values())]:
        made = getattr(provider, "provides", None)
        if isinstance(made, type) and made.__module__.startswith("application."):
            names.add(made.__name__)
    return names


def hand_wiring(forbidden: set[str]) -> list[tuple[str, str, int]]:
    found = []
    for path in sorted([*ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/**/*.py")]):
        relative = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(), relative)):
            if isinstance(node, ast.Call):
                callee = node.func
                name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
                if name in forbidden and (relative, name) not in BUILDING_BLOCK_TESTS:
                    found.append((relative, name, node.lineno))
    return found


def test_the_container_builds_the_use_cases_the_scan_looks_for() -> None:
    assert {
        "ComputeWotFigures",
        "ComputeWotFiguresBatch",
        "SharedNeighbourhood",
    } <= wired_application_classes()


def test_no_test_or_benchmark_builds_an_app_or_a_use_case_by_hand() -> None:
    assert hand_wiring({"Litestar", "Provide", *wired_application_classes()}) == []


def test_the_scan_finds_hand_wiring() -> None:
    assert "tests/support/app.py" in {path for path, _, _ in hand_wiring({"AsyncTestClient"})}


async def test_the_test_app_is_the_containers_app_with_its_bridge_middleware_and_problems(
    app_client: AsyncTestClient[Litestar],
) -> None:
    bad = await app_client.get("/api/v1/wot/npub1notreally")
    metrics = await app_client.get("/metrics")

    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    counted = {
        (sample.labels["route"], sample.labels["status"]): sample.value
        for family in text_string_to_metric_families(metrics.text)
        for sample in family.samples
        if sample.name == "nostr_id_http_requests_total"
    }
    assert counted == {("/api/v1/wot/{pubkey}", "422"): 1.0}


class Answer:
    """Stands in for the figures use case, to show a provider override reaches the handler."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, pubkey: str) -> object:
        self.asked.append(pubkey)
        raise LookupError("the override was called")


async def test_a_provider_override_reaches_the_handler(app_container: Container) -> None:
    answer = Answer()
    app_container.wot.compute_wot_figures.override(providers.Object(answer))

    async with client_for(app_container) as client:
        response = await client.get(f"/api/v1/wot/{encode_npub(PUB['carol'])}")

    assert answer.asked == [encode_npub(PUB["carol"])]
    assert response.status_code == 500


def test_the_test_container_runs_on_the_frozen_clock(app_container: Container) -> None:
    clock = app_container.clock()

    assert isinstance(clock, FixedClock)
    assert clock.now() == FROZEN_AT
    assert app_container.cache() is app_container.cache()
    assert container_for_tests(app_container.settings()).relay() is not app_container.relay()


def test_overriding_a_root_provider_reaches_every_feature(tmp_path: Path) -> None:
    container = Container(settings=settings_for_tests(tmp_path))
    swapped = {
        "relay": MemoryRelay(),
        "cache": MemoryCache(FixedClock(FROZEN_AT)),
        "clock": FixedClock(FROZEN_AT),
    }
    for name, adapter in swapped.items():
        getattr(container, name).override(providers.Object(adapter))
    features = [p.container for p in container.providers.values() if isinstance(p, providers.Container)]

    reached = {
        (name, feature.providers[name]() is adapter)
        for feature in features
        for name, adapter in swapped.items()
        if name in feature.providers
    }

    assert reached == {("relay", True), ("cache", True), ("clock", True)}


def test_one_override_swaps_the_unit_of_work_of_every_use_case(tmp_path: Path) -> None:
    container = Container(settings=settings_for_tests(tmp_path))
    container.unit_of_work.override(providers.Factory(FakeUnitOfWork, MemoryStore()))
    features = [p.container for p in container.providers.values() if isinstance(p, providers.Container)]

    units = {
        type(feature.providers[name]()).__name__
        for feature in features
        for name in ("unit_of_work", "nostr_json_unit_of_work")
        if name in feature.providers
    }

    assert units == {"FakeUnitOfWork"}
