"""Processes the suite starts, and how it makes sure none outlives it.

A server that forks (LNbits runs its web server in a `multiprocessing` child) is started in a
session of its own and stopped as a whole process group, so no child is left listening after its
parent is gone. Every process the suite starts carries `RUN_MARKER` in its environment (set at session
start); `leftovers` finds those still alive, however they were started.
"""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

RUN_MARKER = "NOSTR_ID_TEST_RUN"
PROC = Path("/proc")


def stop_group(process: subprocess.Popen, grace: float = 20.0) -> None:
    """Stops a process started with `start_new_session=True` and every process of its group:
    SIGTERM, then SIGKILL to whatever is left after `grace` seconds."""
    group = process.pid
    _signal_group(group, signal.SIGTERM)
    deadline = time.monotonic() + grace
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
    while _group_alive(group) and time.monotonic() < deadline:
        time.sleep(0.1)
    _signal_group(group, signal.SIGKILL)
    process.wait(timeout=10)


def _signal_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, sig)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def leftovers(marker: str) -> dict[int, str]:
    """pid -> command line of each live process (this one aside) whose environment holds
    `RUN_MARKER=marker`."""
    wanted = f"{RUN_MARKER}={marker}".encode()
    found: dict[int, str] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            marked = wanted in (entry / "environ").read_bytes().split(b"\0")
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marked and alive(int(entry.name)):
            found[int(entry.name)] = command.strip()
    return found


def descendants(pid: int) -> set[int]:
    """The pids of every live process below `pid` in the process tree."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return {child for child in found if alive(child)}
