"""Administration wiring: each action and its audit entry in one transaction."""

from dependency_injector import containers, providers

from application.admin.actions import ListUsers, ReadAuditLog, SuspendName
from application.auth.admin_users import SetSuspension


class AdminContainer(containers.DeclarativeContainer):
    clock = providers.Dependency()
    unit_of_work = providers.Dependency()
    auth_verdicts = providers.Dependency()
    nostr_json_directory = providers.Dependency()

    list_users = providers.Factory(ListUsers, uow=unit_of_work.provider)
    set_suspension = providers.Factory(
        SetSuspension, unit_of_work.provider, auth_verdicts, clock, names=nostr_json_directory
    )
    suspend_name = providers.Factory(
        SuspendName, uow=unit_of_work.provider, clock=clock, changes=nostr_json_directory
    )
    read_audit_log = providers.Factory(ReadAuditLog, uow=unit_of_work.provider)
