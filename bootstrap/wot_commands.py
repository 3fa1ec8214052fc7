"""The `wot score` and `demo seed` commands: they run use cases from the container and print.

The commands take a container whose resources are initialised (the relay started).
"""

import json
import sys
from typing import Any

import msgspec
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bootstrap.settings import Settings
from bootstrap.wiring.wot import reload_wot_settings
from bootstrap.wot_reload import signal_serve, tell_seeds_changed
from bootstrap.wot_settings import remember_demo
from domain.nostr.nip19 import encode_npub, parse_pubkey
from domain.shared.errors import DependencyUnavailable, InvalidInput
from domain.wot.figures import WotFigures
from domain.wot.settings import WotSettings


def figures_fields(figures: WotFigures, stale: bool) -> dict[str, Any]:
    """The figures as printed, in the order and with the names of the API's answer."""
    fields: dict[str, Any] = msgspec.to_builtins(figures)
    fields = {"pubkey": fields.pop("pubkey"), "npub": encode_npub(figures.pubkey), **fields}
    return {**fields, "stale": stale}


async def wot_score(container: Any, pubkey: str, as_json: bool) -> int:
    """`nostr-id wot score <pubkey> [--json]`: waits for the neighbourhood, then prints the score."""
    try:
        target = parse_pubkey(pubkey)
        settings: WotSettings = container.wot.wot_settings()
        await container.wot.wot_neighbourhood().ready(wait_for=settings.build_deadline)
        served = await container.wot.compute_wot_figures()(target)
    except InvalidInput as error:
        print(f"nostr-id: {error}", file=sys.stderr)
        return 2
    except DependencyUnavailable as error:
        print(f"nostr-id: {error} (retry in {error.retry_after} s)", file=sys.stderr)
        return 1
    fields = figures_fields(served.figures, served.stale)
    if as_json:
        print(json.dumps(fields))
    else:
        width = max(len(name) for name in fields)
        for name, value in fields.items():
            shown = ", ".join(value) if isinstance(value, list) else json.dumps(value)
            print(f"{name.ljust(width)}  {shown.strip(chr(34))}")
    return 0


async def demo_seed(container: Any, users: int, seed: int) -> int:
    """`nostr-id demo seed [--users N] [--seed S]`: publishes the demo graph with a progress bar."""
    settings: Settings = container.settings()
    seeder = container.wot.seed_demo_graph()
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
    reload_wot_settings(container.wot)
    try:
        await tell_seeds_changed(container.cache())
    except DependencyUnavailable as error:
        print(f"nostr-id: the running service was not told ({error}); send it SIGHUP", file=sys.stderr)
    print(f"{seeded.events_accepted} of {seeded.events_total} events accepted for {seeded.users} users.")
    print(f"Demo seeds (remembered in {path}; used while WOT_SEEDS is unset):")
    for pubkey in seeded.seeds:
        print(f"  {encode_npub(pubkey)}")
    print("Pubkeys to try (nostr-id wot score <pubkey>, or GET /api/v1/wot/<pubkey>):")
    print(f"  a seed          {seeded.seeds[0]}")
    print(f"  an ordinary one {seeded.ordinary}")
    print(f"  a likely bot    {seeded.bot}")
    if settings.wot_seeds:
        print("WOT_SEEDS is set, so scores use it rather than the demo seeds.")
    elif (pid := signal_serve(settings.data_dir)) is not None:
        print(f"The running `nostr-id serve` (process {pid}) was told; it uses them in a few seconds.")
    elif settings.redis_url is None:
        print("A running `nostr-id serve` elsewhere uses them after a SIGHUP.")
    return 0 if seeded.events_accepted == seeded.events_total else 1
