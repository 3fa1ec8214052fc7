"""The `wot score` and `demo seed` commands. The figures are printed from the domain's `WotFigures`,
not from the HTTP schema."""

import json
import sys
from pathlib import Path
from typing import Any

import msgspec
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from application.demo.seed_demo_graph import DemoSeeded, SeedDemoGraph
from application.wot.compute_figures import ComputeWotFigures
from application.wot.shared_neighbourhood import SharedNeighbourhood
from domain.nostr.nip19 import encode_npub, parse_pubkey
from domain.shared.errors import DependencyUnavailable, InvalidInput
from domain.wot.figures import WotFigures


def figures_fields(figures: WotFigures, stale: bool) -> dict[str, Any]:
    """The figures as printed, in the order and with the names of the API's answer."""
    fields: dict[str, Any] = msgspec.to_builtins(figures)
    fields = {"pubkey": fields.pop("pubkey"), "npub": encode_npub(figures.pubkey), **fields}
    return {**fields, "stale": stale}


async def wot_score(
    compute: ComputeWotFigures,
    neighbourhood: SharedNeighbourhood,
    build_deadline: float,
    pubkey: str,
    as_json: bool,
) -> int:
    """`nostr-id wot score <pubkey> [--json]`: waits for the neighbourhood, then prints the score."""
    try:
        target = parse_pubkey(pubkey)
        await neighbourhood.ready(wait_for=build_deadline)
        served = await compute(target)
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


async def publish_demo(seeder: SeedDemoGraph, users: int, seed: int) -> DemoSeeded | int:
    """`nostr-id demo seed [--users N] [--seed S]`, its first half: publishes the demo graph with a
    progress bar; what was published, or the exit status of a failure (already reported)."""
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
            return await seeder(
                users, seed, lambda done, total: bar.update(task, completed=done, total=total)
            )
        except InvalidInput as error:
            print(f"nostr-id: {error} {error.errors}", file=sys.stderr)
            return 2
        except DependencyUnavailable as error:
            print(f"nostr-id: {error}", file=sys.stderr)
            return 1


def print_demo(seeded: DemoSeeded, remembered_in: Path, how_serve_takes_them: str | None) -> int:
    """The second half: what was published, the pubkeys worth trying, and how a running service
    takes the new seeds; the exit status (1 when the relays refused some events)."""
    print(f"{seeded.events_accepted} of {seeded.events_total} events accepted for {seeded.users} users.")
    print(f"Demo seeds (remembered in {remembered_in}; used while WOT_SEEDS is unset):")
    for pubkey in seeded.seeds:
        print(f"  {encode_npub(pubkey)}")
    print("Pubkeys to try (nostr-id wot score <pubkey>, or GET /api/v1/wot/<pubkey>):")
    print(f"  a seed          {seeded.seeds[0]}")
    print(f"  an ordinary one {seeded.ordinary}")
    print(f"  a likely bot    {seeded.bot}")
    if how_serve_takes_them:
        print(how_serve_takes_them)
    return 0 if seeded.events_accepted == seeded.events_total else 1
