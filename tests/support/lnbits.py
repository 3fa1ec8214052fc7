"""A real LNbits for tests: the pinned PyPI release in .lnbits-venv (scripts/ensure-lnbits.sh), run
from its site-packages folder with the FakeWallet funding source, on a free loopback port, with its
data in a temporary folder. A super user funds wallets; callbacks to loopback are allowed."""

import json
import os
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.processes import stop_group
from tests.support.tcp_proxy import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".lnbits-venv"
ENSURE = ROOT / "scripts" / "ensure-lnbits.sh"
START_LIMIT = 90.0


@dataclass
class Wallet:
    id: str
    admin_key: str
    invoice_key: str


@dataclass
class Lnbits:
    url: str
    process: subprocess.Popen
    token: str

    def create_wallet(self, name: str) -> Wallet:
        answer = httpx.post(f"{self.url}/api/v1/account", json={"name": name}, timeout=10)
        answer.raise_for_status()
        data = answer.json()
        return Wallet(id=data["id"], admin_key=data["adminkey"], invoice_key=data["inkey"])

    def fund(self, wallet: Wallet, sats: int) -> None:
        answer = httpx.put(
            f"{self.url}/users/api/v1/balance",
            json={"id": wallet.id, "amount": sats},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
        )
        answer.raise_for_status()

    def pay(self, wallet: Wallet, bolt11: str) -> dict:
        answer = httpx.post(
            f"{self.url}/api/v1/payments",
            json={"out": True, "bolt11": bolt11},
            headers={"X-Api-Key": wallet.admin_key},
            timeout=30,
        )
        answer.raise_for_status()
        return answer.json()

    def stop(self) -> None:
        """Stops LNbits and the web server process it forks."""
        stop_group(self.process)


def site_packages() -> Path:
    subprocess.run(["bash", str(ENSURE)], check=True, timeout=900)
    (found,) = (VENV / "lib").glob("python3*/site-packages")
    return found


def start_lnbits(data_dir: Path, log_file: Path) -> Lnbits:
    folder = site_packages()
    port = free_port()
    super_user = uuid.uuid4().hex
    env = {
        **os.environ,
        "LNBITS_DATA_FOLDER": str(data_dir),
        "LNBITS_BACKEND_WALLET_CLASS": "FakeWallet",
        "LNBITS_CALLBACK_ALLOW_PRIVATE_IPS": "true",
        # LNbits 1.x checks callback URLs against these rules; loopback is ours in tests.
        "LNBITS_CALLBACK_URL_RULES": json.dumps([r"https?://127\.0\.0\.1(:\d+)?"]),
        "LNBITS_ADMIN_UI": "true",
        "SUPER_USER": super_user,
        "LNBITS_EXTENSIONS_MANIFESTS": "[]",
    }
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [str(VENV / "bin" / "lnbits"), "--host", "127.0.0.1", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_LIMIT
    while True:
        if process.poll() is not None:
            stop_group(process, grace=0)
            raise AssertionError(f"LNbits exited with {process.returncode}: {log_file.read_text()[-2000:]}")
        try:
            # Until its first install is done, LNbits redirects every request there: it is up.
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code in (200, 307):
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            stop_group(process, grace=0)
            raise AssertionError("LNbits never answered its health check")
        time.sleep(0.5)
    password = uuid.uuid4().hex
    try:
        installed = httpx.put(
            f"{url}/api/v1/auth/first_install",
            json={"username": "admin", "password": password, "password_repeat": password},
            timeout=10,
        )
        installed.raise_for_status()
    except Exception:
        stop_group(process, grace=0)
        raise
    return Lnbits(url=url, process=process, token=installed.json()["access_token"])
