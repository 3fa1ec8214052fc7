"""Each default is written once: an unset variable gets its Settings field's default, and the Web of
Trust starts from the same defaults as the service's settings."""

from pathlib import Path
from urllib.parse import urlsplit

import msgspec

from bootstrap.settings import Settings, load_settings
from bootstrap.wot_settings import wot_settings
from domain.wot.settings import WotSettings
from tests.unit.wot.world import PUB


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
