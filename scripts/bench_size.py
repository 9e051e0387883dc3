"""Whether cachelint's time and memory grow linearly with a module's size.

Method: modules of `--sizes` megabytes are generated as `bench_module.py` generates its
module (five kinds of cache-using function, repeated), each linted once by a fresh
`python -m cachelint --no-cache --exit-zero -j 1 MODULE`; its wall time, CPU time and
peak memory (the child's maximum resident set, from `resource.getrusage`) are printed
per size and per megabyte. The issue this answers (15) asked for a 10 MB module well under a minute
and 2 GB.

Run: `python scripts/bench_size.py [--sizes 1 2.5 5 10]`.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_module import CALLS_PER_FUNCTION, generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def module_of(megabytes: float) -> str:
    """A generated module of about `megabytes` MB."""
    sample = generate(CALLS_PER_FUNCTION * 100)
    calls = int(CALLS_PER_FUNCTION * 100 * megabytes * 1_000_000 / len(sample.encode()))
    return generate(calls - calls % CALLS_PER_FUNCTION)


def measure(path: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (what a busy machine does not inflate) and peak resident
    megabytes of one run."""
    command = [sys.executable, "-c", "import resource, subprocess, sys; "
               "subprocess.run(sys.argv[1:]); "
               "usage = resource.getrusage(resource.RUSAGE_CHILDREN); "
               "print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss)",
               sys.executable, "-m", "cachelint", "--no-cache", "--exit-zero", "-j", "1", "--output-format", "concise",
               str(path)]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    seconds = time.monotonic() - started
    cpu, peak = done.stdout.strip().splitlines()[-1].split()
    return seconds, float(cpu), int(peak) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2.5, 5, 10], help="module sizes in MB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'size':>8} {'lines':>9} {'seconds':>8} {'CPU s':>8} {'CPU s/MB':>8} {'peak MB':>8} {'MB/MB':>6}")
        for size in args.sizes:
            path = Path(folder) / "big.py"
            path.write_text(module_of(size))
            megabytes = os.path.getsize(path) / 1_000_000
            seconds, cpu, peak = measure(path)
            lines = path.read_text().count("\n")
            print(f"{megabytes:>6.2f}MB {lines:>9,} {seconds:>8.1f} {cpu:>8.1f} {cpu / megabytes:>8.1f} {peak:>8.0f} "
                  f"{peak / megabytes:>6.0f}", flush=True)


if __name__ == "__main__":
    main()
