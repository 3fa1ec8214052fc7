"""What `/schema` says beyond what Litestar derives from the routes by itself.

- A request Struct declared with `forbid_unknown_fields=True` is documented as a closed object
  (`additionalProperties: false`), since msgspec then refuses any other field.
- The plan ids and payment providers a request may name come from settings, so they are written
  into the document when the app is built.
"""

from collections.abc import Iterable

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar._openapi.schema_generation.schema import SchemaCreator
from litestar.openapi.spec import OpenAPI, Reference, Schema
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
