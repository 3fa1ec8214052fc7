"""A fleet as an operator runs it, for tests: HAProxy with deploy/haproxy/haproxy.cfg (given its
addresses through the environment, as Debian's unit does) in front of several `nostr-id serve`
processes, and Prometheus with deploy/prometheus/ (scrape and evaluation intervals and the alerts'
`for` shortened, targets written for the test's ports)."""

import contextlib
import csv
import io
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
HAPROXY_CONFIG = DEPLOY / "haproxy" / "haproxy.cfg"
PROMETHEUS_DIRECTORY = DEPLOY / "prometheus"
BACKEND = "nostr_id"
START_TIMEOUT = 30.0


class ServeProcess:
    """One `nostr-id serve` on its own port and data directory, to kill, stop and start again."""

    def __init__(self, name: str, env: dict[str, str], directory: Path) -> None:
        self.name = name
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.address}"
        self.log = directory / "serve.log"
        self._env = {**env, "DATA_DIR": str(directory)}
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a") as out:
            self._process = subprocess.Popen(
                [*CLI, "serve", "--port", str(self.port)],
                env=self._env,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )

    def wait_ready(self) -> None:
        assert self._process is not None
        wait_ready(self.url, self._process)

    def kill(self) -> None:
        """SIGKILL to the server and its workers, as when its host or its cgroup is killed (a worker
        whose main process alone is killed goes on serving on the inherited socket)."""
        assert self._process is not None
        _kill_group(self._process.pid)
        self._process.wait(timeout=10)

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM (the drain), then the exit status."""
        assert self._process is not None
        self._process.send_signal(signal.SIGTERM)
        return self._process.wait(timeout=timeout)

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.terminate(timeout=30)
        _kill_group(self._process.pid)
        self._process.wait(timeout=10)


def _kill_group(group: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)


class Haproxy:
    """HAProxy running deploy/haproxy/haproxy.cfg in the foreground."""

    def __init__(self, directory: Path, port: int, servers: list[str]) -> None:
        assert len(servers) == 3, "deploy/haproxy/haproxy.cfg names three servers"
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        self.stats_address = f"127.0.0.1:{free_port()}"
        self.socket = directory / "haproxy.sock"
        self.log = directory / "haproxy.log"
        self._env = {
            **os.environ,
            "NOSTR_ID_FRONTEND": f"127.0.0.1:{self.port}",
            "HAPROXY_STATS": self.stats_address,
            "HAPROXY_SOCKET": str(self.socket),
            **{f"NOSTR_ID_SERVER_{n}": server for n, server in enumerate(servers, start=1)},
        }
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a") as out:
            self._process = subprocess.Popen(
                ["haproxy", "-db", "-f", str(HAPROXY_CONFIG)], env=self._env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not self.socket.exists():
            assert self._process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "haproxy did not start"
            time.sleep(0.05)

    def backend_servers_up(self) -> int:
        """How many servers the balancer holds up in the nostr-id backend (`show stat`)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stats:
            stats.settimeout(5)
            stats.connect(str(self.socket))
            stats.sendall(b"show stat\n")
            answer = b""
            while chunk := stats.recv(65536):
                answer += chunk
        rows = csv.DictReader(io.StringIO(answer.decode().removeprefix("# ")))
        return next(
            int(row["act"]) for row in rows if row["pxname"] == BACKEND and row["svname"] == "BACKEND"
        )

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)


def render_prometheus(
    directory: Path, servers: list[str], haproxy_stats: str, interval: str, hold: str
) -> tuple[Path, Path]:
    """deploy/prometheus/ copied to `directory` with every interval and every alert's `for` set to
    the given ones and the targets written; the config's path and the rules' path."""
    config = PROMETHEUS_DIRECTORY / "prometheus.yml"
    rules = PROMETHEUS_DIRECTORY / "nostr-id.rules.yml"
    text = re.sub(r"(?m)^(\s*(?:scrape|evaluation)_interval:) \S+$", rf"\1 {interval}", config.read_text())
    (directory / "prometheus.yml").write_text(text)
    rendered_rules = directory / "nostr-id.rules.yml"
    rendered_rules.write_text(re.sub(r"(?m)^(\s+for:) \S+$", rf"\1 {hold}", rules.read_text()))
    (directory / "targets").mkdir(exist_ok=True)
    for name, targets in (("nostr-id", servers), ("haproxy", [haproxy_stats])):
        listed = "".join(f"    - {target}\n" for target in targets)
        (directory / "targets" / f"{name}.yml").write_text(f"- targets:\n{listed}")
    return directory / "prometheus.yml", rendered_rules


class Prometheus:
    def __init__(self, directory: Path, config: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = directory / "prometheus.log"
        self._command = [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={directory / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a") as out:
            self._process = subprocess.Popen(self._command, stdout=out, stderr=out)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert self._process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "prometheus did not start"
            time.sleep(0.2)

    def api(self, path: str, **params: Any) -> Any:
        answer = httpx.get(f"{self.url}/api/v1/{path}", params=params, timeout=10)
        answer.raise_for_status()
        return answer.json()["data"]

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=30)
