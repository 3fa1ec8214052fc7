"""The HTTP edge as clients meet it: bad input answered as API.md says and as /schema documents,
metrics, HEAD, CORS, compression and request ids. Built from the real container (memory relay and
cache, the test PostgreSQL) and `create_app`."""

import json
import logging
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from adapters.http.app import create_app
from bootstrap.container import Container
from bootstrap.logs import TEXT_FORMAT
from bootstrap.settings import load_settings
from domain.nostr.nip19 import encode_npub

pytestmark = pytest.mark.integration

HEX = "ab" * 32
PROBLEM_FIELDS = {"type", "title", "status", "detail"}


@pytest_asyncio.fixture
async def client(postgres_dsn) -> AsyncIterator[AsyncTestClient]:
    settings = load_settings({"DATABASE_URL": postgres_dsn, "RELAY_URLS": "memory://"})
    async with AsyncTestClient(create_app(Container(settings=settings))) as client:
        yield client


def _assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS
    assert body["status"] == status
    return body


async def _post_batch(client, content: bytes | str, content_type: str = "application/json"):
    return await client.post("/api/v1/wot/batch", content=content, headers={"content-type": content_type})


# Point 1: statuses of bad input.


async def test_h1_deeply_nested_json_is_400_not_500(client):
    for depth in (1_000, 100_000):
        nested = "[" * depth + "]" * depth
        _assert_problem(await _post_batch(client, nested), 400)
        _assert_problem(await _post_batch(client, '{"pubkeys": ' + nested + "}"), 400)


async def test_h1_undecodable_body_is_400(client):
    for body in (b"{bad", b"", b"\xff\xfe", b'{"pubkeys": ["' + b"a" * 10 + b"]"):
        _assert_problem(await _post_batch(client, body), 400)


async def test_h1_other_content_type_is_415(client):
    body = json.dumps({"pubkeys": [HEX]})
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        _assert_problem(await _post_batch(client, body, content_type), 415)
    assert (await _post_batch(client, body, "application/json; charset=utf-8")).status_code == 200
    _assert_problem(await client.post("/api/v1/wot/batch"), 400)


async def test_h1_rule_broken_is_422_naming_the_field(client):
    pubkeys = [HEX, encode_npub(HEX), HEX, "not-a-pubkey"]
    body = _assert_problem(await _post_batch(client, json.dumps({"pubkeys": pubkeys})), 422)
    assert [error["field"] for error in body["errors"]] == ["pubkeys[3]"]
    assert body["errors"][0]["message"]

    for decoded in ({"pubkeys": [1]}, {"keys": [HEX]}, [HEX], None):
        body = _assert_problem(await _post_batch(client, json.dumps(decoded)), 422)
        assert body["errors"], decoded


async def test_h1_batch_of_101_is_422_and_100_is_answered(client):
    body = _assert_problem(await _post_batch(client, json.dumps({"pubkeys": [HEX] * 101})), 422)
    assert [error["field"] for error in body["errors"]] == ["pubkeys"]
    answered = await _post_batch(client, json.dumps({"pubkeys": [HEX] * 100}))
    assert answered.status_code == 200
    assert len(answered.json()["items"]) == 100


async def test_h1_bad_path_parameter_is_422(client):
    body = _assert_problem(await client.get("/api/v1/wot/npub1nothing"), 422)
    assert body["errors"][0]["field"] == "pubkey"


async def test_h1_schema_documents_statuses_problem_json_and_rules(client):
    schema = (await client.get("/schema/openapi.json")).json()
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == PROBLEM_FIELDS
    assert "errors" in problem["properties"]

    batch = schema["paths"]["/api/v1/wot/batch"]["post"]
    single = schema["paths"]["/api/v1/wot/{pubkey}"]["get"]
    # 401 and 403: an API key reads them only with the wot:read scope.
    expected = [
        (batch, {"400", "401", "403", "415", "422", "429", "503"}),
        (single, {"401", "403", "422", "429", "503"}),
    ]
    for operation, statuses in expected:
        errors = {status for status in operation["responses"] if int(status) >= 400}
        assert errors == statuses
        for status in errors:
            content = operation["responses"][status]["content"]
            assert list(content) == ["application/problem+json"]
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
        assert "Retry-After" in operation["responses"]["503"]["headers"]
        assert {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
            operation["responses"]["429"]["headers"]
        )

    request = schema["components"]["schemas"]["WotBatchRequest"]["properties"]["pubkeys"]
    assert request["maxItems"] == 100
    pattern = request["items"]["pattern"]
    assert single["parameters"][0]["schema"]["pattern"] == pattern
    assert pattern.startswith("^") and "npub1" in pattern

    ready = schema["paths"]["/health/ready"]["get"]["responses"]
    assert set(ready) == {"200", "503"}


# Point 2: /metrics.


async def test_metrics_content_type_has_one_charset(client):
    response = await client.get("/metrics")
    content_type = response.headers["content-type"]
    parameters = [part.strip().split("=")[0].lower() for part in content_type.split(";")[1:]]
    assert parameters.count("charset") == 1
    assert response.headers["content-type"].startswith("text/plain;")


async def test_metrics_count_404_405_and_every_answer(client):
    await client.get("/no/such/path")
    await client.get("/no/such/path")
    await client.delete("/health/live")
    await client.get("/health/live")
    await client.head("/health/live")
    text = (await client.get("/metrics")).text

    counts = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "nostr_id_http_requests_total":
                labels = sample.labels
                counts[(labels["method"], labels["route"], labels["status"])] = sample.value
    assert counts[("GET", "unmatched", "404")] == 2
    assert counts[("DELETE", "unmatched", "405")] == 1
    assert counts[("GET", "/health/live", "200")] == 1
    assert counts[("HEAD", "/health/live", "200")] == 1


# Point 3: what HTTP clients expect.


async def test_head_answers_wherever_get_does(client):
    schema = (await client.get("/schema/openapi.json")).json()
    paths = [path for path, item in schema["paths"].items() if "get" in item and "{" not in path]
    paths += [f"/api/v1/wot/{HEX}", "/metrics", "/schema", "/schema/openapi.json", "/static/redoc/LICENSE"]
    for path in paths:
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
    assert (await client.head("/no/such/path")).status_code == 404
    assert (await client.head("/api/v1/wot/batch")).status_code == 405


async def test_cors_preflight_and_exposed_headers(client):
    preflight = await client.options(
        "/api/v1/wot/batch",
        headers={
            "Origin": "https://app.example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, x-api-key, content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    allowed = {name.strip().lower() for name in preflight.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "x-api-key", "content-type"} <= allowed
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers

    response = await client.get(f"/api/v1/wot/{HEX}", headers={"Origin": "https://other.example.net"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = {name.strip().lower() for name in response.headers["access-control-expose-headers"].split(",")}
    expected = {"retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "x-request-id"}
    assert expected <= exposed
    assert "access-control-allow-credentials" not in response.headers


async def test_answers_are_compressed_as_the_client_accepts(client):
    body = json.dumps({"pubkeys": [HEX] * 100})
    answers = {}
    for accepted in ("br", "gzip", "gzip, br", "identity"):
        answers[accepted] = await client.post(
            "/api/v1/wot/batch",
            content=body,
            headers={"content-type": "application/json", "accept-encoding": accepted},
        )
    plain = answers["identity"]
    assert "content-encoding" not in plain.headers
    assert answers["br"].headers["content-encoding"] == "br"
    assert answers["gzip"].headers["content-encoding"] == "gzip"
    assert answers["gzip, br"].headers["content-encoding"] == "br"
    for accepted, answer in answers.items():
        assert answer.json() == plain.json(), accepted
        assert "accept-encoding" in answer.headers.get("vary", "").lower() or accepted == "identity"
    assert int(answers["gzip"].headers["content-length"]) < len(plain.content) // 4
    assert int(answers["br"].headers["content-length"]) < len(plain.content) // 4


async def test_request_id_on_every_answer_and_in_its_log_line(client, caplog):
    caplog.set_level(logging.INFO, logger="nostr_id.access")
    given = await client.get("/health/live", headers={"X-Request-ID": "abc-123.def"})
    assert given.headers["x-request-id"] == "abc-123.def"

    made = {}
    for label, response in {
        "no header": await client.get("/health/live"),
        "too long": await client.get("/health/live", headers={"X-Request-ID": "a" * 200}),
        "unsafe": await client.get("/health/live", headers={"X-Request-ID": 'a b\tc"<x>'}),
        "404": await client.get("/no/such/path"),
        "405": await client.delete("/health/live"),
        "422": await client.get("/api/v1/wot/npub1nothing"),
    }.items():
        made[label] = response.headers["x-request-id"]
        assert 1 <= len(made[label]) <= 128, label
    assert len(set(made.values())) == len(made)
    assert made["too long"] != "a" * 200

    access = [record for record in caplog.records if record.name == "nostr_id.access"]
    by_id = {record.request_id: record for record in access}
    assert by_id["abc-123.def"].status == 200
    assert by_id[made["404"]].status == 404
    assert by_id[made["405"]].status == 405
    line = logging.Formatter(TEXT_FORMAT).format(by_id[made["422"]])
    assert made["422"] in line
    assert "GET /api/v1/wot/npub1nothing 422" in line


async def test_t3_a_newline_or_other_control_character_in_a_path_does_not_forge_a_log_line(client, caplog):
    caplog.set_level(logging.INFO, logger="nostr_id.access")
    forged = "/no/such%0a2030-01-01 00:00:00,000 INFO nostr_id.access [x] GET /admin 200 1.0ms%0d%1b[2J%5c"

    response = await client.get(forged)

    assert response.status_code == 404
    record = next(r for r in caplog.records if r.request_id == response.headers["x-request-id"])
    line = logging.Formatter(TEXT_FORMAT).format(record)
    assert len(line.splitlines()) == 1
    assert "\r" not in line and "\x1b" not in line
    assert "/no/such\\x0a2030-01-01" in line and "\\x0d\\x1b[2J\\x5c 404" in line
    assert "\n" not in record.path and "\x1b" not in record.path
