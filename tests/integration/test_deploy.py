"""What deploy/ gives operators is valid for the tools that read it: Prometheus' rules and config
(promtool), HAProxy's config (haproxy -c), and the systemd units stop `serve` the way it drains."""

import os
import re
import subprocess
from pathlib import Path

from bootstrap.draining_server import IN_FLIGHT_GRACE
from bootstrap.settings import Settings
from tests.support.fleet import DEPLOY, HAPROXY_CONFIG, PROMETHEUS_DIRECTORY

SYSTEMD = DEPLOY / "systemd"


def _run(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60, env=env)


def _unit(path: Path) -> dict[str, str]:
    """The unit's `Key=value` lines (the last one of a key wins, as systemd reads them)."""
    return dict(
        line.split("=", 1) for line in path.read_text().splitlines() if re.match(r"^[A-Za-z]+=", line)
    )


def test_the_alerting_rules_pass_promtool() -> None:
    checked = _run("promtool", "check", "rules", str(PROMETHEUS_DIRECTORY / "nostr-id.rules.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    alerts = re.findall(r"(?m)^\s+- alert: (\w+)$", (PROMETHEUS_DIRECTORY / "nostr-id.rules.yml").read_text())
    assert {
        "NostrIdDown",
        "NostrIdOutOfBalancer",
        "NostrIdHigh5xxRate",
        "NostrIdRelayBreakerOpen",
        "NostrIdRateLimitFailingOpen",
        "NostrIdJobFailing",
        "NostrIdWebhooksFailing",
        "NostrIdUsageFlushLagging",
    } <= set(alerts)


def test_the_prometheus_config_passes_promtool() -> None:
    checked = _run("promtool", "check", "config", str(PROMETHEUS_DIRECTORY / "prometheus.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_haproxy_config_is_valid_once_its_addresses_are_given(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "NOSTR_ID_FRONTEND": "127.0.0.1:8080",
        "NOSTR_ID_SERVER_1": "127.0.0.1:8001",
        "NOSTR_ID_SERVER_2": "127.0.0.1:8002",
        "NOSTR_ID_SERVER_3": "127.0.0.1:8003",
        "HAPROXY_STATS": "127.0.0.1:8404",
        "HAPROXY_SOCKET": str(tmp_path / "admin.sock"),
    }
    checked = _run("haproxy", "-c", "-f", str(HAPROXY_CONFIG), env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    without = _run("haproxy", "-c", "-f", str(HAPROXY_CONFIG), env={"PATH": os.environ["PATH"]})
    assert without.returncode != 0


def test_the_serve_unit_sends_sigterm_to_the_main_process_and_waits_out_the_drain() -> None:
    unit = _unit(SYSTEMD / "nostr-id.service")
    assert unit["KillMode"] == "mixed" and unit["KillSignal"] == "SIGTERM"
    assert int(unit["TimeoutStopSec"]) > Settings().drain_seconds + IN_FLIGHT_GRACE
    assert unit["ExecStart"].endswith("nostr-id serve --host 0.0.0.0 --port 8000 --workers 2")


def test_the_jobs_timer_runs_the_jobs_service() -> None:
    service = _unit(SYSTEMD / "nostr-id-jobs.service")
    timer = _unit(SYSTEMD / "nostr-id-jobs.timer")
    assert service["Type"] == "oneshot" and service["ExecStart"].endswith("nostr-id jobs run")
    assert "OnUnitActiveSec" in timer and (SYSTEMD / "nostr-id-jobs.service").exists()
