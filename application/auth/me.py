"""The signed-in user's own account."""

from msgspec import Struct

from domain.audit.entries import NO_ORIGIN, Actor, AuditLog, RequestOrigin
from domain.auth.principal import Principal
from domain.auth.users import User
from domain.shared.clock import Clock
from domain.shared.errors import NotFound
from domain.shared.unit_of_work import UowFactory


class MyAccount(Struct, frozen=True, kw_only=True):
    user: User
    lnurl_linked: bool  # at least one LNURL-auth wallet is linked


class GetMe:
    """The caller's account record, and whether a wallet is linked to it."""

    def __init__(self, unit_of_work: UowFactory) -> None:
        self._uow = unit_of_work

    async def __call__(self, principal: Principal) -> MyAccount:
        async with self._uow() as uow:
            user = await uow.users.get(principal.user_id)
            wallets = await uow.lnurl_wallets.list_for_user(principal.user_id)
        if user is None:
            raise NotFound("the account no longer exists")
        return MyAccount(user=user, lnurl_linked=bool(wallets))


REMINDERS_CHANGED = "user.reminders_changed"


class SetReminders:
    """Turns the caller's renewal reminders by direct message on or off (audited)."""

    def __init__(self, unit_of_work: UowFactory, clock: Clock) -> None:
        self._uow = unit_of_work
        self._clock = clock

    async def __call__(
        self, principal: Principal, reminders: bool, origin: RequestOrigin = NO_ORIGIN
    ) -> User:
        now = self._clock.now()
        async with self._uow() as uow:
            user = await uow.users.get_for_update(principal.user_id)
            if user is None:
                raise NotFound("the account no longer exists")
            if user.reminders is reminders:
                return user
            changed = user.with_reminders(reminders, now)
            await uow.users.update(changed)
            await uow.audit_log.add(
                AuditLog.record(
                    action=REMINDERS_CHANGED,
                    now=now,
                    actor=Actor(user_id=user.id, pubkey=user.pubkey, origin=origin),
                    target=("user", user.id),
                    details={"reminders": reminders},
                )
            )
            await uow.commit()
        return changed
