"""A browser's session over the real app for the pages' integration tests: the cookies the sign-in
page's script gets, the CSRF token its forms repeat, and the user behind them."""

import re
from dataclasses import dataclass
from uuid import UUID

import msgspec

from domain.audit.entries import Actor
from domain.auth.users import UserRole
from domain.nostr.signing import generate_secret_key, public_key_of
from tests.fixtures.auth import TEST_PUBLIC_URL, Api


@dataclass(frozen=True)
class Browser:
    csrf: str
    pubkey: str
    user_id: UUID

    def form(self, **fields: str) -> dict[str, str]:
        """A form's fields with the CSRF token every POST form carries."""
        return {"_csrf_token": self.csrf, **fields}

    @property
    def headers(self) -> dict[str, str]:
        """What a page's own request carries: its origin (and, for a script's fetch, the token)."""
        return {"origin": TEST_PUBLIC_URL, "x-csrf-token": self.csrf}


def csrf_of(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def browser_signed_in(api: Api, *, role: UserRole = UserRole.USER) -> Browser:
    """Signs in through the pages' own routes as the sign-in page's script does; the test client
    keeps the cookies (one browser per client). An admin role is given before the first page."""
    secret_key = generate_secret_key()
    if role is not UserRole.USER:
        pubkey = public_key_of(secret_key)
        await api.run(lambda: api.container.auth.change_role().by_pubkey(pubkey, role, Actor(via="test")))
    csrf = csrf_of((await api.client.get("/signin")).text)
    headers = {"x-csrf-token": csrf, "origin": TEST_PUBLIC_URL}
    challenge = (await api.client.post("/signin/challenge", headers=headers)).json()
    event = api.sign_in_event(secret_key, challenge["challenge"])
    signed_in = await api.client.post(
        "/signin/nostr", json={"event": msgspec.to_builtins(event)}, headers=headers
    )
    assert signed_in.status_code == 200, signed_in.text
    me = await api.client.get("/account")
    assert me.status_code == 200
    user = await api.run(lambda: _user_of(api, public_key_of(secret_key)))
    return Browser(csrf=csrf, pubkey=public_key_of(secret_key), user_id=user)


async def _user_of(api: Api, pubkey: str) -> UUID:
    async with api.container.unit_of_work() as uow:
        user = await uow.users.get_by_pubkey(pubkey)
    assert user is not None
    return user.id
