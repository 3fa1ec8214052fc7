"""Direct messages (NIP-17, signed by the service key) and the renewal reminders sent with them, and the
owner's switch."""

from dependency_injector import containers, providers

from adapters.nwc.receipts import WebsocketReceiptPublisher
from application.auth.me import SetReminders
from application.billing.reminders import SendRenewalReminders
from application.direct_messages import SendDirectMessage
from bootstrap import zaps as zap_wiring
from bootstrap.settings import Settings


def plans_url(settings: Settings) -> str:
    return f"{settings.public_url}/plans"


class RemindersContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    service_key = providers.Dependency()
    clock = providers.Dependency()
    relay = providers.Dependency()
    unit_of_work = providers.Dependency()

    # The owner's kind-10050 relays are theirs to name: in production private addresses are refused.
    dm_publisher = providers.Singleton(
        WebsocketReceiptPublisher, public_only=providers.Callable(zap_wiring.public_relays_only, settings)
    )
    send_direct_message = providers.Factory(SendDirectMessage, relay, dm_publisher, clock, service_key)
    send_renewal_reminders = providers.Factory(
        SendRenewalReminders,
        unit_of_work.provider,
        send_direct_message,
        clock,
        providers.Callable(plans_url, settings),
    )
    set_reminders = providers.Factory(SetReminders, unit_of_work.provider, clock)
