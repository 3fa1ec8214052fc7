"""The web pages through the test client, as a browser uses them (cookies kept by the client).

csrf = await sign_in_browser(api)          # the page's own sign-in route; the client keeps cookies
await api.client.post("/signout", data={"_csrf_token": csrf}, headers=same_origin())
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import msgspec
from bech32 import CHARSET, convertbits

from domain.nostr.signing import generate_secret_key
from tests.fixtures.auth import TEST_PUBLIC_URL

JS = Path(__file__).resolve().parents[1] / "js"


def csrf_of(html: str) -> str:
    """The CSRF token a page gives its forms and scripts."""
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def same_origin(csrf: str | None = None) -> dict[str, str]:
    """The headers a browser sends with a same-origin fetch (and the page's token when given)."""
    headers = {"origin": TEST_PUBLIC_URL}
    if csrf is not None:
        headers["x-csrf-token"] = csrf
    return headers


async def sign_in_browser(api, secret_key: str | None = None) -> str:
    """Signs in through /signin/challenge and /signin/nostr as the sign-in page's script does; the
    client keeps the session cookies. Answers the CSRF token of the session."""
    csrf = csrf_of((await api.client.get("/signin")).text)
    challenge = (await api.client.post("/signin/challenge", headers=same_origin(csrf))).json()
    assert challenge["relay"] == TEST_PUBLIC_URL
    event = api.sign_in_event(secret_key or generate_secret_key(), challenge["challenge"])
    response = await api.client.post(
        "/signin/nostr", json={"event": msgspec.to_builtins(event)}, headers=same_origin(csrf)
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "location": "/account"}
    return csrf


def decode_lnurl(lnurl: str) -> str:
    """The URL inside a bech32 LNURL (longer than bech32's 90 characters, so decoded here)."""
    data = [CHARSET.index(char) for char in lnurl.lower().rpartition("1")[2][:-6]]
    decoded = convertbits(data, 5, 8, False)
    assert decoded is not None
    return bytes(decoded).decode()


def query_profile(base_url: str, identifier: str) -> dict | None:
    """nostr-tools' nip05.queryProfile, as a Nostr client resolves a profile's identifier."""
    node = shutil.which("node")
    assert node is not None, "node is required"
    done = subprocess.run(
        [node, str(JS / "nip05_query.mjs"), base_url, identifier],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=JS,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[0])["profile"]
