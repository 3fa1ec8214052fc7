"""H1 and T6 by property-based testing: schemathesis reads `/schema` of a running `nostr-id serve`
(the real container: the test PostgreSQL, the memory relay and cache) and checks every answer
against it: no 5xx, only documented statuses, content types, headers and bodies, `Allow` as
documented, bad input refused, good input accepted. Anonymous (H1), then signed in as a user and
as an admin (T6), each run over every operation with all its phases and checks, derandomized,
a bounded number of examples per operation (tests/support/schemathesis_run.py)."""

import re
import subprocess
import time
from collections.abc import Iterator

import pytest

from domain.nostr.signing import generate_secret_key, public_key_of
from tests.support.schemathesis_run import run_schemathesis, serve_environment, served
from tests.support.serve import CLI

EXAMPLES_PER_OPERATION = 20
# The hard guard on one run's wall-clock time; a run takes about 30 s on a quiet two-core machine.
BUDGET_SECONDS = 240


@pytest.fixture(scope="module")
def served_api(postgres_dsn, tmp_path_factory) -> Iterator[str]:
    with served(postgres_dsn, tmp_path_factory.mktemp("serve")) as base_url:
        yield base_url


def _finds_nothing(run: subprocess.CompletedProcess[str]) -> None:
    """Exit 0 (no failure, no error), every operation tested, and the phases that generate ran."""
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    selected = re.search(r"Selected: (\d+)/(\d+)", run.stdout)
    tested = re.search(r"Tested: (\d+)", run.stdout)
    assert selected and tested, run.stdout[-5000:]
    assert selected[1] == selected[2] == tested[1] and int(tested[1]) >= 40, run.stdout[-5000:]
    for phase in ("Coverage", "Fuzzing", "Stateful"):
        assert re.search(rf"✅ {phase}\b", run.stdout), run.stdout[-5000:]


def _timed_run(base_url, tmp_path, secret_key=None) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    run = run_schemathesis(
        base_url, tmp_path, max_examples=EXAMPLES_PER_OPERATION, secret_key=secret_key, budget=BUDGET_SECONDS
    )
    print(f"schemathesis run took {time.monotonic() - started:.1f} s")
    return run


@pytest.mark.timeout(BUDGET_SECONDS + 60)
def test_h1_the_live_api_answers_as_its_schema_says(served_api, tmp_path):
    _finds_nothing(_timed_run(served_api, tmp_path))


@pytest.mark.timeout(BUDGET_SECONDS + 60)
def test_t6_signed_in_as_a_user_schemathesis_finds_nothing(served_api, tmp_path):
    _finds_nothing(_timed_run(served_api, tmp_path, secret_key=generate_secret_key()))


@pytest.mark.timeout(BUDGET_SECONDS + 60)
def test_t6_signed_in_as_an_admin_schemathesis_finds_nothing(served_api, postgres_dsn, tmp_path):
    secret_key = generate_secret_key()
    env = serve_environment(postgres_dsn, tmp_path, served_api)
    granted = subprocess.run(
        [*CLI, "admin", "grant-role", public_key_of(secret_key), "admin"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert granted.returncode == 0, granted.stderr

    _finds_nothing(_timed_run(served_api, tmp_path, secret_key=secret_key))
