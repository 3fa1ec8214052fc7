"""The `admin` commands: account administration from the operator's shell."""

import sys

from application.auth.admin_users import ChangeRole, SetSuspension
from domain.audit.entries import Actor
from domain.auth.users import UserRole
from domain.nostr.nip19 import encode_npub, parse_pubkey
from domain.shared.errors import DependencyUnavailable, InvalidInput
from domain.shared.unit_of_work import UowFactory

CLI = Actor(via="cli")


async def grant_role(change_role: ChangeRole, pubkey_text: str, role_text: str) -> int:
    """Gives the account of a pubkey (hex or npub) a role, making the account if it is new."""
    try:
        pubkey = parse_pubkey(pubkey_text)
        role = UserRole(role_text)
    except (InvalidInput, ValueError):
        roles = ", ".join(role.value for role in UserRole)
        print(f"nostr-id: expected a pubkey (64 hex or npub) and a role ({roles})", file=sys.stderr)
        return 2
    try:
        user = await change_role.by_pubkey(pubkey, role, CLI)
    except DependencyUnavailable as error:
        print(f"nostr-id: {error}", file=sys.stderr)
        return 1
    print(f"{encode_npub(user.pubkey)} ({user.pubkey}) has the role {user.role.value}")
    return 0


async def set_user_suspension(
    unit_of_work: UowFactory, set_suspension: SetSuspension, pubkey_text: str, suspended: bool
) -> int:
    """Suspends the account of a pubkey (its sessions stop working at once), or lifts that."""
    try:
        pubkey = parse_pubkey(pubkey_text)
    except InvalidInput:
        print("nostr-id: expected a pubkey (64 hex or npub)", file=sys.stderr)
        return 2
    try:
        async with unit_of_work() as uow:
            user = await uow.users.get_by_pubkey(pubkey)
        if user is None:
            print(f"nostr-id: no account has the pubkey {pubkey}", file=sys.stderr)
            return 1
        if user.is_active != suspended:
            state = "suspended" if suspended else "active"
            print(f"{encode_npub(user.pubkey)} ({user.pubkey}) is already {state}")
            return 0
        user = await set_suspension(user.id, suspended=suspended, actor=CLI)
    except DependencyUnavailable as error:
        print(f"nostr-id: {error}", file=sys.stderr)
        return 1
    print(f"{encode_npub(user.pubkey)} ({user.pubkey}) is {user.status.value}")
    return 0
