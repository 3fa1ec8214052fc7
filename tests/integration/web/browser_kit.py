"""A signed-in browser over the real app for the pages' integration tests (tests/support/web.py
signs it in): its CSRF token, its user, and the form fields and headers its pages send."""

from dataclasses import dataclass
from uuid import UUID

from domain.audit.entries import Actor
from domain.auth.users import UserRole
from domain.nostr.signing import generate_secret_key, public_key_of
from tests.fixtures.auth import Api
from tests.support.web import same_origin, sign_in_browser


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
        """What a page's script sends with a fetch: our origin and the token."""
        return same_origin(self.csrf)


async def browser_signed_in(api: Api, *, role: UserRole = UserRole.USER) -> Browser:
    """A new user signed in through the pages' routes; the test client keeps the cookies (one
    browser per client). A role other than `user` is given before the first sign-in."""
    secret_key = generate_secret_key()
    pubkey = public_key_of(secret_key)
    if role is not UserRole.USER:
        await api.run(lambda: api.container.auth.change_role().by_pubkey(pubkey, role, Actor(via="test")))
    csrf = await sign_in_browser(api, secret_key)
    return Browser(csrf=csrf, pubkey=pubkey, user_id=await api.run(lambda: _user_id(api, pubkey)))


async def _user_id(api: Api, pubkey: str) -> UUID:
    async with api.container.unit_of_work() as uow:
        user = await uow.users.get_by_pubkey(pubkey)
    assert user is not None
    return user.id
