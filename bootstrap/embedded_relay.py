"""An embedded Nostr relay process (nostr-sdk's LocalRelay over LMDB) for development and tests.

Run as `python -m bootstrap.embedded_relay --port P [--data-dir DIR] [--max-filter-limit N]
[--auth-required] [--keep-nagle]`; it prints `READY <url>` once it accepts connections and stops
cleanly on SIGTERM or SIGINT. Like strfry, it answers at most 500 events per filter by default, so
readers must page with `until`. It answers NIP-45 COUNT; it serves no NIP-11 document.
"""

import argparse
import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

WRITES_PER_MINUTE = 10_000_000  # the default write limit would throttle seeding and tests


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bootstrap.embedded_relay")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--data-dir", type=Path, help="LMDB directory; events are kept in memory when omitted"
    )
    parser.add_argument(
        "--max-filter-limit", type=int, default=500, help="most events answered per filter (strfry: 500)"
    )
    parser.add_argument(
        "--auth-required", action="store_true", help="demand NIP-42 authentication for reads and writes"
    )
    parser.add_argument(
        "--keep-nagle",
        action="store_true",
        help="leave Nagle's algorithm on, as LocalRelay does by itself (for comparison benchmarks)",
    )
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    import nostr_sdk

    builder = (
        nostr_sdk.LocalRelayBuilder()
        .addr(args.host)
        .port(args.port)
        .rate_limit(nostr_sdk.RateLimit(max_reqs=10_000, notes_per_minute=WRITES_PER_MINUTE))
        .max_filter_limit(args.max_filter_limit)
        .default_filter_limit(args.max_filter_limit)
    )
    if args.auth_required:
        mode = nostr_sdk.LocalRelayBuilderNip42Mode.BOTH
        builder = builder.nip42(nostr_sdk.LocalRelayBuilderNip42(mode=mode))
    if args.data_dir is not None:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        # The LMDB store is handed to the relay as a database object whose calls come back through
        # this event loop; the bindings must be told which loop that is.
        nostr_sdk.uniffi_set_event_loop(asyncio.get_running_loop())
        builder = builder.database(await nostr_sdk.NostrLmdb.open(str(args.data_dir / "lmdb")))
    relay = builder.build()
    await relay.run()
    if not args.keep_nagle:
        _no_delay_on_listener(args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"READY ws://{args.host}:{args.port}", flush=True)
    await stop.wait()
    relay.shutdown()


def _no_delay_on_listener(port: int) -> None:
    """Sets TCP_NODELAY on the relay's listening socket, which its accepted connections inherit.

    LocalRelay writes an EVENT and its EOSE as separate small frames without TCP_NODELAY, so the
    EOSE waits for the client's delayed ACK (about 40 ms on Linux) and a REQ that finds one event
    takes 44 ms instead of under a millisecond. nostr-sdk has no setting for it (0.45.1); the
    listener is ours to reach, being in this process.
    """
    descriptors = "/proc/self/fd"
    if not os.path.isdir(descriptors):
        return
    for name in os.listdir(descriptors):
        try:
            listener = socket.socket(fileno=os.dup(int(name)))
        except OSError:
            continue
        with listener:
            try:
                listening = listener.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
                inet = listener.family in (socket.AF_INET, socket.AF_INET6)
                bound_port = listener.getsockname()[1] if inet else None
            except OSError:
                continue
            if listening and bound_port == port and listener.type == socket.SOCK_STREAM:
                listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def main(argv: list[str] | None = None) -> int:
    asyncio.run(_serve(_arguments(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
