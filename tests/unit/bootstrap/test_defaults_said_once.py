"""Each default is written once: an unset variable gets its Settings field's default, the Web of
Trust starts from the same defaults as the service's settings, and the README names them."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import msgspec

from bootstrap.settings import Settings, load_settings
from bootstrap.wot_settings import wot_settings
from domain.wot.settings import WotSettings
from tests.unit.wot.world import PUB

ROOT = Path(__file__).resolve().parents[3]


def test_an_unset_variable_takes_the_default_of_its_settings_field() -> None:
    loaded = load_settings({})
    declared = Settings()

    differing = {
        field.name: (getattr(loaded, field.name), getattr(declared, field.name))
        for field in msgspec.structs.fields(Settings)
        if field.name != "default_domain" and getattr(loaded, field.name) != getattr(declared, field.name)
    }

    assert differing == {}
    # The one default derived from another variable: the NIP-05 domain is the host of PUBLIC_URL.
    assert loaded.default_domain == urlsplit(declared.public_url).hostname


def test_the_web_of_trust_starts_from_the_defaults_of_the_settings(tmp_path: Path) -> None:
    settings = msgspec.structs.replace(load_settings({}), data_dir=tmp_path, wot_seeds=(PUB["seed"],))

    assert wot_settings(settings) == WotSettings(seeds=(PUB["seed"],))


def test_the_readme_names_the_defaults_of_the_settings() -> None:
    # Rows of the configuration table whose default is one literal value: | `NAME` | ... | `value` |
    rows = dict(re.findall(r"^\| `([A-Z_]+)` \|.*\| `([^`|]+)` \|$", (ROOT / "README.md").read_text(), re.M))
    declared = Settings()

    def shown(value: object) -> str:
        return f"{value:g}" if isinstance(value, int | float) else str(value)

    assert {
        "ENVIRONMENT",
        "PUBLIC_URL",
        "WOT_MAX_DEPTH",
        "WOT_REQUEST_DEADLINE",
        "RATE_LIMIT_SIGN_IN",
    } <= set(rows)
    assert rows == {name: shown(getattr(declared, name.lower())) for name in rows}
