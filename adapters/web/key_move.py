"""Moving the account to a new Nostr key from a browser (RotateKey, as POST /api/v1/me/key-rotation).

The page gets a fresh challenge, shows the kind-22242 event the new key signs (the person signs it
with the new key's own tool and pastes it, or a NIP-46 remote signer holding the new key signs it
through its bunker:// URL), and has the browser extension (NIP-07) sign the old key's consent over
the same challenge, naming the new key in a `p` tag. Both go to the use case at once; the move ends
every session, so the browser signs in again with the new key.
"""

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, SkipValidation
from litestar.response import Template

from adapters.http.client_ip import origin_of
from adapters.http.key_rotation import KeyRotationBody
from adapters.web.pages import page
from adapters.web.session import BrowserCookies
from adapters.web.signin import Challenge
from application.auth.key_rotation import KeyRotationRequest, RotateKey
from application.auth.sign_in import CHALLENGE_LIFETIME, IssueChallenge
from domain.auth.principal import Principal
from domain.nostr.nip19 import encode_npub
from domain.nostr.signing import generate_secret_key

# Where the browser goes once the account is on its new key (its session ended with the move).
AFTER_MOVE = "/signin?moved=1"


class Moved(msgspec.Struct):
    status: str
    npub: str
    location: str


class KeyMovePages(Controller):
    path = "/account/key"

    @get("/")
    async def key(
        self,
        request: Request[Any, Any, Any],
        web_principal: NamedDependency[Principal],
        nip46_relays: NamedDependency[tuple[str, ...]],
    ) -> Template:
        return page(
            request,
            "key_move.html",
            title="Move to a new key",
            principal=web_principal,
            npub=encode_npub(web_principal.pubkey),
            challenge_minutes=int(CHALLENGE_LIFETIME.total_seconds() // 60),
            # A one-time client key for talking to the new key's remote signer, as on /signin.
            nip46_client_secret=generate_secret_key() if nip46_relays else "",
        )

    @post("/challenge", status_code=201)
    async def challenge(
        self,
        web_principal: NamedDependency[Principal],
        issue_challenge: NamedDependency[SkipValidation[IssueChallenge]],
        public_url: NamedDependency[str],
    ) -> Challenge:
        issued = await issue_challenge()
        return Challenge(challenge=issued.challenge, relay=public_url)

    @post("/", status_code=200)
    async def move(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[KeyRotationBody],
        web_principal: NamedDependency[Principal],
        rotate_key: NamedDependency[SkipValidation[RotateKey]],
        browser_cookies: NamedDependency[SkipValidation[BrowserCookies]],
    ) -> Response[Moved]:
        user = await rotate_key(
            web_principal,
            KeyRotationRequest(
                new_key_event=data.new_key_event.to_event(),
                old_key_event=data.old_key_event.to_event(),
                origin=origin_of(request),
            ),
        )
        response = Response(Moved(status="ok", npub=encode_npub(user.pubkey), location=AFTER_MOVE))
        browser_cookies.clear(response)
        return response
