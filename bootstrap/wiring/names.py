"""NIP-05 names, custom domains and nostr.json wiring.

The directory's answers are verdicts: kept in this process, in front of the Cache, invalidated in
every process through it.
"""

from dependency_injector import containers, providers

from adapters.dns.dnspython_resolver import DnspythonResolver
from application.custom_domains.manage_custom_domains import (
    AddDomain,
    ListDomains,
    RecheckDomains,
    RemoveDomain,
    VerifyDomain,
)
from application.names.manage_names import (
    CheckNameAvailability,
    ListNames,
    RegisterName,
    ReleaseName,
    UpdateName,
)
from application.names.nostr_json import NostrJsonDirectory
from application.names.transfers import AcceptOffer, CancelOffer, ListOffers, OfferName
from bootstrap.settings import Settings

# nostr.json waits at most this long for a database connection before answering 503.
NOSTR_JSON_DATABASE_TIMEOUT = 2.0
DNS_TIMEOUT = 3.0


class NamesContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Dependency()
    unit_of_work = providers.Dependency()
    verdicts = providers.Dependency()
    plan_catalog = providers.Dependency()

    dns_resolver = providers.Singleton(
        DnspythonResolver, settings.provided.dns_nameservers, timeout=DNS_TIMEOUT
    )
    # The same unit of work, with a shorter wait for a connection.
    nostr_json_unit_of_work = providers.Factory(unit_of_work, timeout=NOSTR_JSON_DATABASE_TIMEOUT)
    nostr_json_directory = providers.Singleton(
        NostrJsonDirectory,
        uow_factory=nostr_json_unit_of_work.provider,
        verdicts=verdicts,
        clock=clock,
        default_domain=settings.provided.default_domain,
    )
    register_name = providers.Factory(
        RegisterName,
        uow=unit_of_work.provider,
        clock=clock,
        changes=nostr_json_directory,
        default_domain=settings.provided.default_domain,
        catalog=plan_catalog,
    )
    list_names = providers.Factory(ListNames, uow=unit_of_work.provider)
    update_name = providers.Factory(
        UpdateName,
        uow=unit_of_work.provider,
        clock=clock,
        changes=nostr_json_directory,
        default_domain=settings.provided.default_domain,
    )
    release_name = providers.Factory(
        ReleaseName, uow=unit_of_work.provider, clock=clock, changes=nostr_json_directory
    )
    offer_name = providers.Factory(
        OfferName, uow=unit_of_work.provider, clock=clock, default_domain=settings.provided.default_domain
    )
    list_offers = providers.Factory(ListOffers, uow=unit_of_work.provider, clock=clock)
    cancel_offer = providers.Factory(CancelOffer, uow=unit_of_work.provider, clock=clock)
    accept_offer = providers.Factory(
        AcceptOffer,
        uow=unit_of_work.provider,
        clock=clock,
        changes=nostr_json_directory,
        default_domain=settings.provided.default_domain,
        catalog=plan_catalog,
    )
    check_name_availability = providers.Factory(
        CheckNameAvailability,
        uow=unit_of_work.provider,
        clock=clock,
        default_domain=settings.provided.default_domain,
    )
    add_domain = providers.Factory(AddDomain, uow=unit_of_work.provider, clock=clock, catalog=plan_catalog)
    list_domains = providers.Factory(ListDomains, uow=unit_of_work.provider)
    remove_domain = providers.Factory(
        RemoveDomain, uow=unit_of_work.provider, clock=clock, changes=nostr_json_directory
    )
    verify_domain = providers.Factory(
        VerifyDomain, uow=unit_of_work.provider, clock=clock, dns=dns_resolver, changes=nostr_json_directory
    )
    recheck_domains = providers.Factory(
        RecheckDomains, uow=unit_of_work.provider, clock=clock, dns=dns_resolver, changes=nostr_json_directory
    )
