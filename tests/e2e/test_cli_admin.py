"""`nostr-id admin grant-role` against the test's PostgreSQL: the role is given and audited (A1)."""

import os
import subprocess

import psycopg

from domain.nostr.nip19 import encode_npub
from domain.nostr.signing import generate_secret_key, public_key_of
from tests.support.serve import CLI

ROLE_OF = "SELECT role FROM users WHERE pubkey = %s"
AUDIT_OF = """
SELECT action, actor_user_id, details FROM audit_log
WHERE target_id = (SELECT id::text FROM users WHERE pubkey = %s) ORDER BY occurred_at, action
"""


def _admin(dsn: str, tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": dsn, "RELAY_URLS": "memory://", "DATA_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    return subprocess.run([*CLI, "admin", *args], env=env, capture_output=True, text=True, timeout=120)


def test_a1_grant_role_makes_the_account_gives_the_role_and_audits_it(postgres_dsn, tmp_path):
    pubkey = public_key_of(generate_secret_key())

    granted = _admin(postgres_dsn, tmp_path, "grant-role", encode_npub(pubkey), "admin")
    again = _admin(postgres_dsn, tmp_path, "grant-role", pubkey, "admin")
    back = _admin(postgres_dsn, tmp_path, "grant-role", pubkey, "user")

    assert granted.returncode == 0, granted.stderr
    assert pubkey in granted.stdout and "admin" in granted.stdout
    assert again.returncode == 0 and back.returncode == 0
    with psycopg.connect(postgres_dsn) as conn:
        assert conn.execute(ROLE_OF, (pubkey,)).fetchone() == ("user",)
        audit = conn.execute(AUDIT_OF, (pubkey,)).fetchall()
    changes = [(action, details.get("from"), details.get("to")) for action, _, details in audit]
    assert sorted(changes) == sorted(
        [
            ("user.registered", None, None),
            ("user.role_changed", "user", "admin"),
            ("user.role_changed", "admin", "user"),
        ]
    )
    assert all(details.get("via") == "cli" for action, _, details in audit if action == "user.role_changed")


def test_grant_role_refuses_a_bad_pubkey_or_role(postgres_dsn, tmp_path):
    bad_pubkey = _admin(postgres_dsn, tmp_path, "grant-role", "npub1nope", "admin")
    bad_role = _admin(postgres_dsn, tmp_path, "grant-role", public_key_of(generate_secret_key()), "root")

    for result in (bad_pubkey, bad_role):
        assert result.returncode == 2
        assert "expected a pubkey" in result.stderr
