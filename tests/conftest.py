"""Shared test fixtures: every module in tests/fixtures/ is a pytest plugin."""

from pathlib import Path

from hypothesis import settings

pytest_plugins = sorted(
    f"tests.fixtures.{path.stem}"
    for path in (Path(__file__).parent / "fixtures").glob("*.py")
    if not path.stem.startswith("_")
)

# Property tests draw the same examples in every run, and no example database carries one run's
# failures into the next: the suite passes or fails the same way each time.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.load_profile("deterministic")
