"""Web of Trust settings from the service's settings: the trust seeds (WOT_SEEDS, else the last demo's,
else the service's own pubkey) and the demo record that remembers a demo's seeds under DATA_DIR."""

import os
from pathlib import Path

import msgspec

from application.demo.seed_demo_graph import DemoSeeded
from bootstrap.keys import service_secret_key
from bootstrap.settings import Settings, SettingsError
from domain.nostr.nip19 import parse_pubkey
from domain.nostr.signing import public_key_of
from domain.shared.errors import InvalidInput
from domain.wot.settings import WotSettings

DEMO_FILE = "demo.json"


class DemoRecord(msgspec.Struct):
    """What `demo seed` remembers under DATA_DIR so the service scores against the demo's seeds."""

    seeds: list[str]
    users: int
    seed: int
    events: int


def read_demo_seeds(data_dir: Path) -> tuple[str, ...]:
    """The seeds of the last demo seeded from this DATA_DIR, or nothing."""
    path = Path(data_dir) / DEMO_FILE
    if not path.exists():
        return ()
    try:
        record = msgspec.json.decode(path.read_bytes(), type=DemoRecord)
        return tuple(parse_pubkey(seed) for seed in record.seeds)
    except (msgspec.DecodeError, InvalidInput) as error:
        raise SettingsError(f"DATA_DIR: {path} is not a demo record ({error})") from None


def remember_demo(data_dir: Path, seeded: DemoSeeded) -> Path:
    path = Path(data_dir) / DEMO_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    record = DemoRecord(seeds=seeded.seeds, users=seeded.users, seed=seeded.seed, events=seeded.events_total)
    draft = path.with_name(f"{DEMO_FILE}.{os.getpid()}")
    draft.write_bytes(msgspec.json.format(msgspec.json.encode(record)))
    draft.replace(path)
    return path


def wot_seeds(settings: Settings) -> tuple[str, ...]:
    """WOT_SEEDS when set; else the seeds of the last demo under DATA_DIR; else the service's pubkey."""
    if settings.wot_seeds:
        try:
            return tuple(dict.fromkeys(parse_pubkey(seed) for seed in settings.wot_seeds))
        except InvalidInput as error:
            raise SettingsError(f"WOT_SEEDS: {error}") from None
    return read_demo_seeds(settings.data_dir) or (public_key_of(service_secret_key(settings)),)


def wot_settings(settings: Settings) -> WotSettings:
    try:
        return WotSettings(
            seeds=wot_seeds(settings),
            max_depth=settings.wot_max_depth,
            cache_ttl=float(settings.wot_cache_ttl),
            request_deadline=settings.wot_request_deadline,
        )
    except InvalidInput as error:
        raise SettingsError(f"WOT_SEEDS/WOT_MAX_DEPTH/WOT_CACHE_TTL: {error} {error.errors}") from None
