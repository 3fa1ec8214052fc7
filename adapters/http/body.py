"""The one way a request body is read: JSON only, decoded once, before the handler's data is built.

Installed app-wide as Litestar's `before_request` hook, it applies to every route that takes a
`data` parameter: a body of another content type is 415, a body that is missing or is not JSON we
can decode (malformed, nested too deeply) is 400. The decoded value is what Litestar then converts
into the route's request Struct; a value that breaks one of the Struct's rules becomes 422 in
`problems.py`.
"""

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException, HTTPException, SerializationException

JSON_MEDIA_TYPE = "application/json"


def is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    structured = media_type.startswith("application/") and media_type.endswith("+json")
    return media_type == JSON_MEDIA_TYPE or structured


async def decode_json_body(request: Request[Any, Any, Any]) -> None:
    if "data" not in request.route_handler.parsed_fn_signature.parameters:
        return
    if not await request.body():
        raise ClientException("The body is empty; a JSON document is expected.")
    content_type = request.headers.get("content-type", "")
    if not is_json(content_type):
        raise HTTPException(
            status_code=415, detail=f"The body must be {JSON_MEDIA_TYPE}, not {content_type or 'unnamed'}."
        )
    try:
        await request.json()
    except (SerializationException, RecursionError):
        raise ClientException("The body is not JSON that can be decoded.") from None
