"""The schema's own rules, checked with plain SQL: what deleting a user does, and CHECK constraints."""

import secrets
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import errors

pytestmark = pytest.mark.integration

PUBKEY_ROWS = """
SELECT (SELECT count(*) FROM sessions WHERE user_id = %(id)s) AS sessions,
       (SELECT count(*) FROM api_keys WHERE user_id = %(id)s) AS api_keys,
       (SELECT count(*) FROM api_key_usage WHERE api_key_id = %(key_id)s) AS usage,
       (SELECT count(*) FROM nip05_names WHERE user_id = %(id)s) AS names,
       (SELECT count(*) FROM domains WHERE user_id = %(id)s) AS domains,
       (SELECT count(*) FROM subscriptions WHERE user_id = %(id)s) AS subscriptions,
       (SELECT count(*) FROM lnurl_sessions WHERE user_id = %(id)s) AS lnurl_sessions,
       (SELECT count(*) FROM lnurl_wallets WHERE user_id = %(id)s) AS lnurl_wallets
"""


@pytest.fixture
def conn(postgres_dsn: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection whose work is always rolled back."""
    with psycopg.connect(postgres_dsn) as connection:
        yield connection
        connection.rollback()


def new_user(conn: psycopg.Connection[Any]) -> Any:
    row = conn.execute("INSERT INTO users (pubkey) VALUES (%(p)s) RETURNING id", {"p": secrets.token_hex(32)})
    return row.fetchone()[0]  # type: ignore[index]


def owned_rows(conn: psycopg.Connection[Any], user_id: Any) -> Any:
    hex64 = secrets.token_hex(32)
    key_id = conn.execute(
        "INSERT INTO api_keys (user_id, name, prefix, key_hash)"
        " VALUES (%(u)s, 'k', 'nid_abcd', %(h)s) RETURNING id",
        {"u": user_id, "h": hex64},
    ).fetchone()[0]  # type: ignore[index]
    statements = [
        "INSERT INTO sessions (user_id, family_id, refresh_token_hash, expires_at)"
        " VALUES (%(u)s, gen_random_uuid(), %(h)s, now() + interval '1 day')",
        "INSERT INTO api_key_usage (api_key_id, day, endpoint, status_class, count)"
        " VALUES (%(k)s, current_date, '/x', '2xx', 1)",
        "INSERT INTO nip05_names (user_id, name, domain, pubkey) VALUES (%(u)s, %(n)s, 'example.com', %(h)s)",
        "INSERT INTO domains (user_id, domain, verification_token) VALUES (%(u)s, %(d)s, %(h)s)",
        "INSERT INTO subscriptions (user_id, plan_id) VALUES (%(u)s, 'monthly')",
        "INSERT INTO lnurl_sessions (k1, action, poll_secret_hash, user_id, expires_at)"
        " VALUES (%(h)s, 'link', %(h)s, %(u)s, now() + interval '5 minutes')",
        "INSERT INTO lnurl_wallets (user_id, linking_key, linked_at) VALUES (%(u)s, '02' || %(h)s, now())",
    ]
    params = {"u": user_id, "k": key_id, "h": hex64, "n": "n" + hex64[:8], "d": f"d{hex64[:8]}.example.org"}
    for statement in statements:
        conn.execute(statement, params)  # type: ignore[arg-type]
    return key_id


def test_deleting_a_user_removes_what_it_owned_and_keeps_its_audit_trail(
    conn: psycopg.Connection[Any],
) -> None:
    user_id = new_user(conn)
    key_id = owned_rows(conn, user_id)
    audit_id = conn.execute(
        "INSERT INTO audit_log (actor_user_id, action) VALUES (%(u)s, 'auth.login') RETURNING id",
        {"u": user_id},
    ).fetchone()[0]  # type: ignore[index]
    assert conn.execute(PUBKEY_ROWS, {"id": user_id, "key_id": key_id}).fetchone() == (1, 1, 1, 1, 1, 1, 1, 1)

    conn.execute("DELETE FROM users WHERE id = %(u)s", {"u": user_id})

    assert conn.execute(PUBKEY_ROWS, {"id": user_id, "key_id": key_id}).fetchone() == (0, 0, 0, 0, 0, 0, 0, 0)
    kept = conn.execute("SELECT actor_user_id, action FROM audit_log WHERE id = %(a)s", {"a": audit_id})
    assert kept.fetchone() == (None, "auth.login")


def test_a_user_with_payments_cannot_be_deleted(conn: psycopg.Connection[Any]) -> None:
    user_id = new_user(conn)
    conn.execute(
        "INSERT INTO payments (user_id, provider, provider_invoice_id, amount, currency)"
        " VALUES (%(u)s, 'fake', %(i)s, 1000, 'sat')",
        {"u": user_id, "i": secrets.token_hex(8)},
    )
    with pytest.raises(errors.ForeignKeyViolation):
        conn.execute("DELETE FROM users WHERE id = %(u)s", {"u": user_id})


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO users (pubkey) VALUES (upper(%(h)s))",
        "INSERT INTO users (pubkey) VALUES (left(%(h)s, 63))",
        "INSERT INTO users (pubkey, role) VALUES (%(h)s, 'root')",
        "INSERT INTO users (pubkey, status) VALUES (%(h)s, 'deleted')",
        "INSERT INTO users (pubkey, lnurl_key) VALUES (%(h)s, '04' || %(h)s)",
        "INSERT INTO lnurl_wallets (user_id, linking_key, linked_at) VALUES (%(u)s, '04' || %(h)s, now())",
        "INSERT INTO nip05_names (user_id, name, domain, pubkey)"
        " VALUES (%(u)s, 'Alice', 'example.com', %(h)s)",
        "INSERT INTO nip05_names (user_id, name, domain, pubkey) VALUES (%(u)s, 'a b', 'example.com', %(h)s)",
        "INSERT INTO nip05_names (user_id, name, domain, pubkey) VALUES (%(u)s, 'a', 'Example.com', %(h)s)",
        "INSERT INTO domains (user_id, domain, verification_token) VALUES (%(u)s, 'localhost', %(h)s)",
        "INSERT INTO domains (user_id, domain, verification_token, status)"
        " VALUES (%(u)s, 'a.io', %(h)s, 'ok')",
        "INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes)"
        " VALUES (%(u)s, 'k', 'nid_abcd', %(h)s, ARRAY['admin'])",
        "INSERT INTO api_keys (user_id, name, prefix, key_hash) VALUES (%(u)s, '', 'nid_abcd', %(h)s)",
        "INSERT INTO subscriptions (user_id, plan_id, status) VALUES (%(u)s, 'monthly', 'active')",
        "INSERT INTO subscriptions (user_id, plan_id, status) VALUES (%(u)s, 'monthly', 'paused')",
        "INSERT INTO payments (user_id, provider, provider_invoice_id, amount, currency)"
        " VALUES (%(u)s, 'paypal', 'i', 1, 'sat')",
        "INSERT INTO payments (user_id, provider, provider_invoice_id, amount, currency)"
        " VALUES (%(u)s, 'fake', 'i', 0, 'sat')",
        "INSERT INTO payments (user_id, provider, provider_invoice_id, amount, currency, status)"
        " VALUES (%(u)s, 'fake', 'i', 1, 'sat', 'paid')",
        "INSERT INTO sessions (user_id, family_id, refresh_token_hash, expires_at)"
        " VALUES (%(u)s, gen_random_uuid(), 'plain-token', now() + interval '1 day')",
        "INSERT INTO sessions (user_id, family_id, refresh_token_hash, created_at, expires_at)"
        " VALUES (%(u)s, gen_random_uuid(), %(h)s, now(), now())",
        "INSERT INTO auth_challenges (challenge, expires_at) VALUES ('abc', now() + interval '1 minute')",
        "INSERT INTO lnurl_sessions (k1, action, poll_secret_hash, expires_at)"
        " VALUES (%(h)s, 'link', %(h)s, now() + interval '1 minute')",
        "INSERT INTO lnurl_sessions (k1, action, poll_secret_hash, expires_at, completed_at)"
        " VALUES (%(h)s, 'login', %(h)s, now() + interval '1 minute', now())",
        "INSERT INTO lnurl_sessions (k1, action, poll_secret_hash, expires_at)"
        " VALUES (%(h)s, 'login', 'nid_lp_plain', now() + interval '1 minute')",
        "INSERT INTO audit_log (action, details) VALUES ('a', '[]'::jsonb)",
        "INSERT INTO audit_log (action) VALUES ('Bad Action')",
        "INSERT INTO processed_webhook_events (provider, event_id) VALUES ('stripe', '')",
    ],
)
def test_check_constraints_reject_values_the_records_forbid(
    conn: psycopg.Connection[Any], statement: str
) -> None:
    user_id = new_user(conn)
    with pytest.raises(errors.CheckViolation):
        conn.execute(statement, {"u": user_id, "h": secrets.token_hex(32)})  # type: ignore[arg-type]
