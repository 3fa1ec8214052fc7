"""Web of Trust wiring helpers and the `wot score` / `demo seed` commands.

The commands take a container whose resources are initialised (the relay started).
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

import msgspec
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from adapters.http.wot import WotFiguresResponse
from application.demo.seed_demo_graph import DemoSeeded, SeedDemoGraph
from bootstrap.keys import service_secret_key
from bootstrap.settings import Settings, SettingsError
from domain.errors import DependencyUnavailable, InvalidInput
from domain.nostr.nip19 import encode_npub, parse_pubkey
from domain.nostr.signing import public_key_of
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


async def wot_score(container: Any, pubkey: str, as_json: bool) -> int:
    """`nostr-id wot score <pubkey> [--json]`: waits for the neighbourhood, then prints the score."""
    try:
        target = parse_pubkey(pubkey)
        settings: WotSettings = container.wot_settings()
        await container.wot_neighbourhood().ready(wait_for=settings.build_deadline)
        served = await container.compute_wot_figures()(target)
    except InvalidInput as error:
        print(f"nostr-id: {error}", file=sys.stderr)
        return 2
    except DependencyUnavailable as error:
        print(f"nostr-id: {error} (retry in {error.retry_after} s)", file=sys.stderr)
        return 1
    response = WotFiguresResponse.of(served)
    if as_json:
        print(msgspec.json.encode(response).decode())
    else:
        fields = msgspec.to_builtins(response)
        width = max(len(name) for name in fields)
        for name, value in fields.items():
            shown = ", ".join(value) if isinstance(value, list) else json.dumps(value)
            print(f"{name.ljust(width)}  {shown.strip(chr(34))}")
    return 0


async def demo_seed(container: Any, users: int, seed: int) -> int:
    """`nostr-id demo seed [--users N] [--seed S]`: publishes the demo graph with a progress bar."""
    settings: Settings = container.settings()
    seeder = SeedDemoGraph(container.relay(), container.clock())
    columns = (
        TextColumn("publishing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("events"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("publish", total=None)
        try:
            seeded = await seeder(
                users, seed, lambda done, total: bar.update(task, completed=done, total=total)
            )
        except InvalidInput as error:
            print(f"nostr-id: {error} {error.errors}", file=sys.stderr)
            return 2
        except DependencyUnavailable as error:
            print(f"nostr-id: {error}", file=sys.stderr)
            return 1
    path = remember_demo(settings.data_dir, seeded)
    print(f"{seeded.events_accepted} of {seeded.events_total} events accepted for {seeded.users} users.")
    print(f"Demo seeds (remembered in {path}; used while WOT_SEEDS is unset, no restart needed):")
    for pubkey in seeded.seeds:
        print(f"  {encode_npub(pubkey)}")
    print("Pubkeys to try (nostr-id wot score <pubkey>, or GET /api/v1/wot/<pubkey>):")
    print(f"  a seed          {seeded.seeds[0]}")
    print(f"  an ordinary one {seeded.ordinary}")
    print(f"  a likely bot    {seeded.bot}")
    if settings.wot_seeds:
        print("WOT_SEEDS is set, so scores use it rather than the demo seeds.")
    return 0 if seeded.events_accepted == seeded.events_total else 1
