"""A demo payment against a running nostr-id (`make run`), with the fake payment provider.

    .venv/bin/python scripts/demo_payment.py [--url http://127.0.0.1:8000] [--plan pro-monthly]

Signs in with a fresh Nostr key (a signed challenge), orders the plan, settles the fake invoice as
its provider's callback would, and prints the receipt and the subscription.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import httpx
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.nostr.signing import generate_secret_key, sign_event


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the service's PUBLIC_URL")
    parser.add_argument("--plan", default="pro-monthly")
    args = parser.parse_args()
    url = args.url.rstrip("/")
    with httpx.Client(base_url=url, timeout=15) as client:
        challenge = client.post("/api/v1/auth/challenge").raise_for_status().json()["challenge"]
        event = sign_event(
            generate_secret_key(),
            kind=22242,
            tags=[["relay", url], ["challenge", challenge]],
            content="",
            created_at=int(time.time()),
        )
        login = client.post("/api/v1/auth/login", json={"event": msgspec.to_builtins(event)})
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        print("signed in as", login.json()["user"]["npub"])

        checkout = client.post(
            "/api/v1/subscriptions", json={"plan_id": args.plan, "provider": "fake"}, headers=headers
        ).raise_for_status()
        payment = checkout.json()["payment"]
        amount = f"{payment['amount']} {payment['currency']}"
        print(f"ordered {args.plan}: payment {payment['id']}, {amount}, pending")

        client.post(f"/api/v1/payments/{payment['id']}/fake-settle", headers=headers).raise_for_status()
        receipt = client.get(f"/api/v1/payments/{payment['id']}/receipt", headers=headers).raise_for_status()
        subscription = client.get("/api/v1/subscriptions/me", headers=headers).raise_for_status()
    print("receipt:", json.dumps(receipt.json(), indent=2))
    print("subscription:", json.dumps(subscription.json(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
