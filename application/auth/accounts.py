"""Accounts are made on first sign-in: one per Nostr pubkey."""

from datetime import datetime

from domain.audit.entries import Actor, AuditLog, RequestOrigin
from domain.auth.users import User
from domain.shared.errors import Conflict
from domain.shared.unit_of_work import UnitOfWork, UowFactory

USER_REGISTERED = "user.registered"


async def find_or_register(uow: UnitOfWork, pubkey: str, now: datetime, *, origin: RequestOrigin) -> User:
    """The account of the pubkey, made (and audited) inside the caller's transaction if it is new.

    A concurrent registration of the same pubkey surfaces as Conflict from the repository; the
    caller's transaction then rolls back and may be retried, finding the account.
    """
    user = await uow.users.get_by_pubkey(pubkey)
    if user is not None:
        return user
    user = User.register(pubkey, now)
    await uow.users.add(user)
    await uow.audit_log.add(
        AuditLog.record(
            action=USER_REGISTERED,
            now=now,
            actor=Actor(user_id=user.id, pubkey=pubkey, origin=origin),
            target=("user", user.id),
        )
    )
    return user


async def registered(uow_factory: UowFactory, pubkey: str, now: datetime, *, origin: RequestOrigin) -> User:
    """Finds or registers the pubkey's account in a transaction of its own, retrying once on a race."""
    for attempt in range(2):
        try:
            async with uow_factory() as uow:
                user = await find_or_register(uow, pubkey, now, origin=origin)
                await uow.commit()
                return user
        except Conflict:
            if attempt:
                raise
    raise AssertionError("unreachable")
