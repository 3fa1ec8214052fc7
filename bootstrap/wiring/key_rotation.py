"""Key rotation wiring: an account moves to a new Nostr key (with consent, or a wallet's recovery)."""

from dependency_injector import containers, providers

from application.auth.key_rotation import (
    CancelKeyRecovery,
    CompleteKeyRecoveries,
    MoveAccount,
    RequestKeyRecovery,
    RotateKey,
)


class KeyRotationContainer(containers.DeclarativeContainer):
    clock = providers.Dependency()
    unit_of_work = providers.Dependency()
    auth_verdicts = providers.Dependency()
    name_changes = providers.Dependency()
    public_url = providers.Dependency()
    send_direct_message = providers.Dependency()

    move_account = providers.Factory(MoveAccount, unit_of_work.provider, auth_verdicts, name_changes)
    rotate_key = providers.Factory(RotateKey, move_account, unit_of_work.provider, clock, public_url)
    request_key_recovery = providers.Factory(RequestKeyRecovery, unit_of_work.provider, clock, public_url)
    cancel_key_recovery = providers.Factory(CancelKeyRecovery, unit_of_work.provider, clock)
    complete_key_recoveries = providers.Factory(
        CompleteKeyRecoveries, move_account, unit_of_work.provider, clock, send_direct_message, public_url
    )
