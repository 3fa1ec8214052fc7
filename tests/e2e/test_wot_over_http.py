"""Web of Trust end to end: `nostr-id serve` against a real relay process, scores over HTTP."""

import asyncio
import contextlib
import os
import signal
import subprocess
import time

import httpx

from application.demo.seed_demo_graph import DemoSeeded
from bootstrap.wot_settings import remember_demo
from domain.nostr.nip19 import encode_npub
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.support.relay_client import publish_raw
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

NOW = int(time.time())


def _contacts(secret: str, follows: list[str]):
    return sign_event(
        secret, kind=3, tags=[["p", pubkey] for pubkey in follows], content="", created_at=NOW - 3600
    )


def test_scores_from_the_relay_over_http(relay_process, postgres_dsn, tmp_path):
    seed, alice, bob, carol = (generate_secret_key() for _ in range(4))
    pub = {
        name: public_key_of(key)
        for name, key in [("seed", seed), ("alice", alice), ("bob", bob), ("carol", carol)]
    }
    events = [
        _contacts(seed, [pub["alice"]]),
        _contacts(alice, [pub["bob"], pub["carol"]]),
        _contacts(bob, [pub["carol"]]),
    ]
    assert asyncio.run(publish_raw(relay_process.url, events)) == len(events)

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": relay_process.url,
        "WOT_SEEDS": encode_npub(pub["seed"]),
        "DATA_DIR": str(tmp_path),
    }
    env.pop("REDIS_URL", None)
    serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    try:
        wait_ready(f"http://127.0.0.1:{port}", serve)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            carol_score = client.get(f"/api/v1/wot/{encode_npub(pub['carol'])}").json()
            batch = client.post("/api/v1/wot/batch", json={"pubkeys": [pub["alice"], pub["bob"]]})
            unknown = client.get("/api/v1/wot/" + "ab" * 32)
            bad = client.get("/api/v1/wot/npub1nothing")
    finally:
        serve.terminate()
        serve.wait(timeout=30)

    assert carol_score["pubkey"] == pub["carol"]
    assert carol_score["npub"] == encode_npub(pub["carol"])
    assert carol_score["followers_count"] == 2
    assert carol_score["following_count"] == 0
    assert carol_score["wot_depth"] == 2
    assert carol_score["stale"] is False
    alice_score, bob_score = batch.json()["items"]
    assert (alice_score["wot_depth"], alice_score["followers_count"], alice_score["following_count"]) == (
        1,
        1,
        2,
    )
    assert (bob_score["wot_depth"], bob_score["followers_count"]) == (2, 1)
    assert alice_score["trust_score"] > bob_score["trust_score"]
    assert unknown.status_code == 200
    assert unknown.json()["followers_count"] == 0
    assert unknown.json()["wot_depth"] is None
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_serve_takes_a_demos_seeds_on_sighup_and_not_per_request(relay_process, postgres_dsn, tmp_path):
    seed, alice = generate_secret_key(), generate_secret_key()
    assert asyncio.run(publish_raw(relay_process.url, [_contacts(seed, [public_key_of(alice)])])) == 1
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": relay_process.url,
        "DATA_DIR": str(tmp_path),
    }
    for name in ("REDIS_URL", "WOT_SEEDS"):
        env.pop(name, None)
    serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    alice_url = f"/api/v1/wot/{public_key_of(alice)}"
    try:
        wait_ready(f"http://127.0.0.1:{port}", serve)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            before = client.get(alice_url).json()["wot_depth"]
            seeds = [public_key_of(seed)]
            remember_demo(tmp_path, DemoSeeded(seeds, 2, 1, 1, 1, seeds[0], seeds[0]))
            untold = client.get(alice_url).json()["wot_depth"]
            serve.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 60  # the hard guard; granian starts the new workers in seconds
            after = untold
            while after != 1 and time.monotonic() < deadline:
                time.sleep(0.5)
                with contextlib.suppress(httpx.TransportError):
                    after = client.get(alice_url).json()["wot_depth"]
    finally:
        serve.terminate()
        serve.wait(timeout=30)

    assert (before, untold, after) == (None, None, 1)


def test_demo_seed_tells_the_running_serve_of_its_data_dir(relay_process, postgres_dsn, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": relay_process.url,
        "DATA_DIR": str(tmp_path),
    }
    for name in ("REDIS_URL", "WOT_SEEDS"):
        env.pop(name, None)
    serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    try:
        wait_ready(f"http://127.0.0.1:{port}", serve)
        seeded = subprocess.run(
            [*CLI, "demo", "seed", "--users", "80", "--seed", "4"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        demo_seed_pubkey = seeded.stdout.split("a seed", 1)[1].split()[0]
        seed_url = f"/api/v1/wot/{demo_seed_pubkey}"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 60  # the hard guard; granian starts the new workers in seconds
            depth = None
            while depth != 0 and time.monotonic() < deadline:
                time.sleep(0.5)
                with contextlib.suppress(httpx.TransportError):
                    depth = client.get(seed_url).json()["wot_depth"]
    finally:
        serve.terminate()
        serve.wait(timeout=30)

    assert seeded.returncode == 0, seeded.stderr
    assert f"The running `nostr-id serve` (process {serve.pid}) was told" in seeded.stdout
    assert depth == 0
