"""Helpers shared by the repository tests."""

from domain.shared.unit_of_work import UnitOfWork, UowFactory


async def committed(new_uow: UowFactory, *records: object) -> None:
    """Adds the records (users first) in one committed unit of work."""
    async with new_uow() as uow:
        for record in records:
            await add(uow, record)
        await uow.commit()


async def add(uow: UnitOfWork, record: object) -> None:
    repositories = {
        "User": uow.users,
        "Session": uow.sessions,
        "AuthChallenge": uow.auth_challenges,
        "LnurlSession": uow.lnurl_sessions,
        "LnurlWallet": uow.lnurl_wallets,
        "ApiKey": uow.api_keys,
        "Nip05": uow.nip05_names,
        "CustomDomain": uow.domains,
        "Subscription": uow.subscriptions,
        "Payment": uow.payments,
        "AuditLog": uow.audit_log,
    }
    await repositories[type(record).__name__].add(record)  # type: ignore[attr-defined]
