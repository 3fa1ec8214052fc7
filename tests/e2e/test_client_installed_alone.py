"""The typed client is a distribution of its own: `pip install` of the client/ folder into a fresh
virtual environment, without the service, gives a client that reads plans and signs in against
`nostr-id serve` (real PostgreSQL, the memory relay and cache), and runs the demo payment script
(which needs nothing else). The folder is copied first, so the build leaves nothing in the work tree."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CLIENT_FOLDER = ROOT / "client"
DEMO_PAYMENT = ROOT / "scripts" / "demo_payment.py"
BUILT = shutil.ignore_patterns("__pycache__", "build", "*.egg-info")
SERVICE_ONLY = ["domain", "application", "adapters", "bootstrap", "litestar", "psycopg", "redis"]

# Run by the fresh environment's Python, from a folder outside the work tree.
CONSUMER = """
import importlib.util, json, secrets, sys
from client import NostrIdClient, NostrSigner

base_url, service_only = sys.argv[1], json.loads(sys.argv[2])
secret_key = secrets.token_hex(32)
with NostrIdClient(base_url) as api:
    plans = [plan.id for plan in api.plans()]
    tokens = api.sign_in_with_nostr(secret_key)
    me = api.with_bearer(tokens.access_token).me()
print(json.dumps({
    "client_file": sys.modules["client"].__file__,
    "importable": [name for name in service_only if importlib.util.find_spec(name) is not None],
    "plans": plans,
    "signed_in_as": me.pubkey,
    "signer_pubkey": NostrSigner(secret_key).pubkey,
}))
"""


@pytest.fixture(scope="module")
def served(postgres_dsn, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": "memory://",
        "PUBLIC_URL": base_url,
        "DATA_DIR": str(tmp_path_factory.mktemp("serve")),
    }
    env.pop("REDIS_URL", None)
    serve = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_ready(base_url, serve)
        yield base_url
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{command[1:3]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@dataclass(frozen=True)
class ClientAlone:
    """A fresh virtual environment holding only the client, and a folder outside the work tree."""

    python: str
    venv: Path
    folder: Path
    env: dict[str, str]

    def run(self, *arguments: str) -> str:
        return _run([self.python, *arguments], self.folder, self.env)


@pytest.fixture(scope="module")
def client_alone(tmp_path_factory) -> ClientAlone:
    root = tmp_path_factory.mktemp("client-alone")
    source = root / "source" / "client"
    shutil.copytree(CLIENT_FOLDER, source, ignore=BUILT)
    venv = root / "venv"
    folder = root / "consumer"
    folder.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    _run([sys.executable, "-m", "venv", str(venv)], folder, env)
    alone = ClientAlone(python=str(venv / "bin" / "python"), venv=venv, folder=folder, env=env)
    alone.run("-m", "pip", "install", "--quiet", str(source))
    return alone


def test_the_client_installs_alone_and_calls_the_service(served, client_alone):
    answer = json.loads(client_alone.run("-c", CONSUMER, served, json.dumps(SERVICE_ONLY)))

    assert Path(answer["client_file"]).is_relative_to(client_alone.venv)
    assert answer["importable"] == []
    assert answer["plans"] == [plan["id"] for plan in httpx.get(f"{served}/api/v1/plans").json()["items"]]
    assert answer["plans"]
    assert answer["signed_in_as"] == answer["signer_pubkey"]


def test_the_demo_payment_script_runs_on_the_client_alone(served, client_alone):
    script = shutil.copy(DEMO_PAYMENT, client_alone.folder)  # away from the service's source
    printed = client_alone.run(str(script), "--url", served, "--plan", "pro-monthly")

    receipt = json.loads(printed.split("receipt:", 1)[1].split("subscription:", 1)[0])
    subscription = json.loads(printed.split("subscription:", 1)[1])
    assert receipt["plan_id"] == subscription["plan_id"] == "pro-monthly"
    assert receipt["receipt_number"].startswith("NID-")
    assert subscription["status"] == "active"
