"""How long `cachelint server` takes to answer an edit of a big module, as an editor sees it.

Method:

1. A module of about 1,000 lines is generated with scripts/bench_module.py's generator
   (functions of five cache calls each: Django cache-aside, Flask views, Redis counters,
   pipelines; some with mistakes, so there are findings to publish).
2. `cachelint server` is started as an editor starts it, and driven over stdio by pygls'
   LSP client (tests/lsp_session.py). The module is opened; the time until its first
   diagnostics arrive is the cold figure (interpreter start and imports excluded: the
   client has already initialised the server).
3. Then `--edits` edits, one at a time: a TTL in the middle of the module changes (one
   character, as typing does), and the time from sending the change to receiving the
   diagnostics of that version is measured. That includes the server's debounce
   (cachelint.server.app.DEBOUNCE_SECONDS), the lint and the publication.

It prints the median and the slowest warm edit, in wall time and in the CPU time the
server process used (from /proc, so Linux only; on a machine other work keeps busy, the
CPU time is what the server would take alone), and the load average while it ran.
Run: `python scripts/bench_lsp.py [--edits 20]`.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench_module import generate  # noqa: E402

from tests.lsp_session import Session  # noqa: E402

CALLS = 470  # about 1,000 lines


def cpu_seconds(pid: int) -> float:
    """The user and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(folder: Path, edits: int) -> tuple[int, int, float, list[float], list[float]]:
    text = generate(CALLS)
    lines = text.splitlines()
    middle = next(i for i in range(len(lines) // 2, len(lines)) if ", 300)" in lines[i])
    async with Session(folder) as session:
        start = time.perf_counter()
        uri = session.open("big_module.py", text)
        found = await session.diagnostics(uri, 1)
        cold = time.perf_counter() - start
        await asyncio.sleep(2)  # the project stage's first run (in its own process) is done
        pid = session.client._server.pid
        times, cpu = [], []
        for n in range(edits):
            lines[middle] = lines[middle].replace(", 300)" if n % 2 == 0 else ", 301)", ", 301)" if n % 2 == 0 else ", 300)")
            start, used = time.perf_counter(), cpu_seconds(pid)
            version = session.change(uri, "\n".join(lines) + "\n")
            await session.diagnostics(uri, version)
            times.append(time.perf_counter() - start)
            cpu.append(cpu_seconds(pid) - used)
    return len(text.splitlines()), len(found), cold, times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20, help="warm edits to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        lines, findings, cold, times, cpu = asyncio.run(measure(Path(folder), args.edits))
    print(f"module: {lines:,} lines, {CALLS} cache calls, {findings} findings")
    print(f"first diagnostics after opening it: {cold:.3f} s")
    print(f"diagnostics after an edit (warm, {len(times)} edits): wall median {statistics.median(times):.3f} s, "
          f"slowest {max(times):.3f} s; server CPU median {statistics.median(cpu):.3f} s, slowest {max(cpu):.3f} s")
    print(f"load average (1 min) after the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
