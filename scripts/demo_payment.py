"""A demo payment against a running nostr-id (`make run`), with the fake payment provider.

    .venv/bin/python scripts/demo_payment.py [--url http://127.0.0.1:8000] [--plan pro-monthly]

Signs in with a fresh Nostr key (a signed challenge), orders the plan, settles the fake invoice as
its provider's callback would, and prints the receipt and the subscription. It speaks to the service
only through the typed client (`client/`, installed by `make`), so it runs wherever the client alone
is installed.
"""

import argparse
import secrets

import msgspec

from client import NostrIdClient


def _pretty(record: msgspec.Struct) -> str:
    return msgspec.json.format(msgspec.json.encode(record), indent=2).decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the service's PUBLIC_URL")
    parser.add_argument("--plan", default="pro-monthly")
    args = parser.parse_args()
    with NostrIdClient(args.url, timeout=15) as api:
        tokens = api.sign_in_with_nostr(secrets.token_hex(32))
        print("signed in as", tokens.user.npub)
        with api.with_bearer(tokens.access_token) as signed_in:
            payment = signed_in.subscribe(args.plan, "fake").payment
            amount = f"{payment.amount} {payment.currency}"
            print(f"ordered {args.plan}: payment {payment.id}, {amount}, {payment.status}")
            signed_in.fake_settle(payment.id)
            receipt = signed_in.receipt(payment.id)
            subscription = signed_in.my_subscription()
    print("receipt:", _pretty(receipt))
    print("subscription:", _pretty(subscription))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
