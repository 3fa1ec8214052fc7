"""What `/schema` says beyond what Litestar derives from the routes by itself.

- A request Struct declared with `forbid_unknown_fields=True` is documented as a closed object
  (`additionalProperties: false`), since msgspec then refuses any other field.
- The plan ids and payment providers a request may name come from settings, so they are written
  into the document when the app is built.
- Links from an answer holding an id to the operations that take it, for clients and for
  schemathesis's stateful phase.
"""

from collections.abc import Iterable

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar._openapi.schema_generation.schema import SchemaCreator
from litestar.openapi.spec import Link, OpenAPI, Reference, Schema
from litestar.typing import FieldDefinition


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    """Litestar's Struct schemas, with `additionalProperties: false` where unknown fields are refused."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields:
            schema.additional_properties = False
        return schema


def document_choices(schema: OpenAPI, choices: dict[tuple[str, str], Iterable[str]]) -> None:
    """Gives each (component, field) the values it accepts, as an `enum`."""
    components = schema.components.schemas if schema.components else None
    for (component, field), values in choices.items():
        target = (components or {}).get(component)
        properties = target.properties if isinstance(target, Schema) else None
        if properties is None or field not in properties:
            raise LookupError(f"{component}.{field} is not in the OpenAPI document")
        prop = properties[field]
        if isinstance(prop, Reference):
            raise LookupError(f"{component}.{field} is a reference")
        if values := list(values):
            prop.enum = values


# Which answer names the id another operation takes: (operation, status) -> {link: (operation, path
# parameter, where the answer holds it)}. Schemathesis follows them in its stateful phase.
LINKS: dict[tuple[str, str], dict[str, tuple[str, str, str]]] = {
    ("ApiV1ApiKeysCreate", "201"): {
        "Revoke": ("ApiV1ApiKeysApiKeyIdRevoke", "api_key_id", "/id"),
        "Usage": ("ApiV1ApiKeysApiKeyIdUsageUsage", "api_key_id", "/id"),
    },
    ("ApiV1Nip05Register", "201"): {
        "Update": ("ApiV1Nip05NameIdUpdate", "name_id", "/id"),
        "Offer": ("ApiV1Nip05NameIdOffersOffer", "name_id", "/id"),
        "Release": ("ApiV1Nip05NameIdRelease", "name_id", "/id"),
        "Suspend": ("ApiV1AdminNip05NameIdSuspendSuspendName", "name_id", "/id"),
    },
    ("ApiV1Nip05NameIdOffersOffer", "201"): {
        "Accept": ("ApiV1Nip05OffersOfferIdAcceptAccept", "offer_id", "/id"),
        "Cancel": ("ApiV1Nip05OffersOfferIdCancelOffer", "offer_id", "/id"),
    },
    ("ApiV1DomainsAdd", "201"): {
        "Verify": ("ApiV1DomainsDomainIdVerifyVerify", "domain_id", "/id"),
        "Remove": ("ApiV1DomainsDomainIdRemove", "domain_id", "/id"),
    },
    ("ApiV1SubscriptionsSubscribe", "201"): {
        "Payment": ("ApiV1PaymentsPaymentIdPayment", "payment_id", "/payment/id"),
        "FakeSettle": ("ApiV1PaymentsPaymentIdFakeSettleFakeSettle", "payment_id", "/payment/id"),
    },
    ("ApiV1PaymentsPaymentIdFakeSettleFakeSettle", "200"): {
        "Receipt": ("ApiV1PaymentsPaymentIdReceiptReceipt", "payment_id", "/id"),
        "Refund": ("ApiV1AdminPaymentsPaymentIdRefundRefund", "payment_id", "/id"),
    },
    ("ApiV1AuthSessionsSessions", "200"): {
        "RevokeSession": ("ApiV1AuthSessionsSessionIdRevokeSession", "session_id", "/items/0/id"),
    },
}


def document_links(schema: OpenAPI) -> None:
    """Adds LINKS to the answers that hold the ids."""
    operations = {
        operation.operation_id: operation
        for item in (schema.paths or {}).values()
        for operation in (item.get, item.put, item.post, item.patch, item.delete)
        if operation is not None and operation.operation_id
    }
    for (producer, status), links in LINKS.items():
        response = (operations[producer].responses or {})[status]
        if isinstance(response, Reference):
            raise LookupError(f"{producer} {status} is a reference")
        response.links = {
            name: Link(operation_id=target, parameters={parameter: f"$response.body#{pointer}"})
            for name, (target, parameter, pointer) in links.items()
        }
