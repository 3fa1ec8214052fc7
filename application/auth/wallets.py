"""The LNURL-auth wallets linked to the signed-in account: listed, and unlinked one at a time."""

from uuid import UUID

from domain.audit.entries import Actor, AuditLog, RequestOrigin
from domain.auth.lnurl import LnurlWallet
from domain.auth.principal import Principal
from domain.shared.clock import Clock
from domain.shared.errors import Forbidden, NotFound
from domain.shared.unit_of_work import UowFactory

LNURL_UNLINKED = "auth.lnurl_unlinked"


class ListWallets:
    """The caller's linked wallets, oldest link first."""

    def __init__(self, unit_of_work: UowFactory) -> None:
        self._uow = unit_of_work

    async def __call__(self, principal: Principal) -> list[LnurlWallet]:
        async with self._uow() as uow:
            return await uow.lnurl_wallets.list_for_user(principal.user_id)


class UnlinkWallet:
    """Unlinks one of the caller's wallets, audited in the same transaction; from then on it signs no
    one in. Another account's wallet is not found; an API key cannot unlink."""

    def __init__(self, unit_of_work: UowFactory, clock: Clock) -> None:
        self._uow = unit_of_work
        self._clock = clock

    async def __call__(self, principal: Principal, wallet_id: UUID, origin: RequestOrigin) -> None:
        if principal.is_machine:
            raise Forbidden("an API key cannot unlink a wallet")
        now = self._clock.now()
        async with self._uow() as uow:
            removed = await uow.lnurl_wallets.remove(principal.user_id, wallet_id)
            if removed is None:
                raise NotFound("no such wallet")
            await uow.audit_log.add(
                AuditLog.record(
                    action=LNURL_UNLINKED,
                    now=now,
                    actor=Actor(user_id=principal.user_id, pubkey=principal.pubkey, origin=origin),
                    target=("lnurl_wallet", removed.id),
                    details={"linking_key": removed.linking_key},
                )
            )
            await uow.commit()
