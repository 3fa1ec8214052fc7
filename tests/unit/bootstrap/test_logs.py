"""LOG_FORMAT: validated like every setting; json writes one object per line with the request id."""

import io
import json
import logging
import sys

import pytest

from bootstrap.logs import JsonFormatter, configure_logging
from bootstrap.settings import SettingsError, load_settings


def test_log_format_defaults_to_text_and_is_validated():
    assert load_settings({}).log_format == "text"
    assert load_settings({"LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        load_settings({"LOG_FORMAT": "xml"})


def test_json_lines_carry_the_message_extras_and_exceptions():
    record = logging.LogRecord("nostr_id.access", logging.INFO, __file__, 1, "GET %s %d", ("/x", 200), None)
    record.request_id = "abc"
    record.status = 200
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "GET /x 200"
    assert (entry["level"], entry["logger"], entry["request_id"], entry["status"]) == (
        "INFO",
        "nostr_id.access",
        "abc",
        200,
    )
    try:
        raise ValueError("multi\nline")
    except ValueError:
        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    line = JsonFormatter().format(failed)
    assert "\n" not in line
    assert "ValueError" in json.loads(line)["exception"]


def test_configured_json_logging_writes_one_object_per_line(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging(load_settings({"LOG_FORMAT": "json"}))
        logging.getLogger("nostr_id.test").warning("first\nsecond")
        logging.getLogger("nostr_id.test").warning("third")
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["message"] for line in lines] == ["first\nsecond", "third"]
    assert all(json.loads(line)["request_id"] == "-" for line in lines)
