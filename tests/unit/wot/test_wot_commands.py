"""WoT settings from the service's settings: trust seeds and the demo record (bootstrap/wot_settings.py)."""

from pathlib import Path

import pytest

from application.demo.seed_demo_graph import DemoSeeded
from bootstrap.keys import service_secret_key
from bootstrap.settings import Settings, SettingsError
from bootstrap.wot_settings import read_demo_seeds, remember_demo, wot_seeds, wot_settings
from domain.nostr.nip19 import encode_npub
from domain.nostr.signing import public_key_of
from tests.unit.wot.world import PUB


def seeded(*names: str) -> DemoSeeded:
    return DemoSeeded(
        seeds=[PUB[n] for n in names],
        users=10,
        seed=1,
        events_total=5,
        events_accepted=5,
        ordinary=PUB["carol"],
        bot=PUB["xavier"],
    )


def test_demo_seeds_are_remembered_under_data_dir(tmp_path: Path) -> None:
    assert read_demo_seeds(tmp_path) == ()

    remember_demo(tmp_path, seeded("alice", "bob"))

    assert read_demo_seeds(tmp_path) == (PUB["alice"], PUB["bob"])


def test_wot_seeds_win_over_the_demo_and_accept_npubs(tmp_path: Path) -> None:
    remember_demo(tmp_path, seeded("alice"))
    settings = Settings(data_dir=tmp_path, wot_seeds=(encode_npub(PUB["carol"]), PUB["dave"], PUB["carol"]))

    assert wot_seeds(settings) == (PUB["carol"], PUB["dave"])


def test_without_wot_seeds_the_demo_seeds_are_used(tmp_path: Path) -> None:
    remember_demo(tmp_path, seeded("alice"))

    assert wot_seeds(Settings(data_dir=tmp_path)) == (PUB["alice"],)


def test_without_either_the_service_key_is_the_seed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)

    assert wot_seeds(settings) == (public_key_of(service_secret_key(settings)),)


def test_bad_seeds_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="WOT_SEEDS"):
        wot_seeds(Settings(data_dir=tmp_path, wot_seeds=("carol",)))


def test_a_damaged_demo_record_names_data_dir(tmp_path: Path) -> None:
    (tmp_path / "demo.json").write_text("{not json")

    with pytest.raises(SettingsError, match="DATA_DIR"):
        read_demo_seeds(tmp_path)


def test_settings_carry_depth_and_ttl(tmp_path: Path) -> None:
    settings = wot_settings(
        Settings(data_dir=tmp_path, wot_seeds=(PUB["seed"],), wot_max_depth=2, wot_cache_ttl=60)
    )

    assert (settings.seeds, settings.max_depth, settings.cache_ttl) == ((PUB["seed"],), 2, 60.0)
