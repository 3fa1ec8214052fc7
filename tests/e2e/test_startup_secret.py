"""J7 at the command line: a short or placeholder signing secret stops `nostr-id serve` before it
serves anything outside development, with a message naming JWT_SECRET."""

import os
import subprocess

import pytest

from domain.nostr.signing import generate_secret_key
from tests.support.serve import CLI
from tests.support.tcp_proxy import free_port


@pytest.mark.parametrize("secret", ["too-short", "change-me-change-me-change-me-change-me-now", "x" * 48])
def test_j7_serve_refuses_to_start_with_a_weak_signing_secret(secret, tmp_path):
    env = {
        **os.environ,
        "ENVIRONMENT": "production",
        "JWT_SECRET": secret,
        "SERVICE_NSEC": generate_secret_key(),
        "RELAY_URLS": "memory://",
        "DATA_DIR": str(tmp_path),
    }

    result = subprocess.run(
        [*CLI, "serve", "--port", str(free_port())], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 2
    assert "JWT_SECRET" in result.stderr
