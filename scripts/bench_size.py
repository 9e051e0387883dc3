"""Whether cachelint's time and memory grow linearly with a module's size.

Method: modules of `--sizes` megabytes are generated as `bench_module.py` generates its
module (five kinds of cache-using function, repeated; with `--cache-share 0.1`, one
function in ten is one of those, the others plain code with no cache in it, which sparse
parsing leaves out), each linted once by a fresh
`python -m cachelint --no-cache --exit-zero -j 1 --output-format FORMAT MODULE` (`concise`
by default; `json` also takes each finding's fingerprint, which reads the module again);
its wall time, CPU time and peak memory (the child's maximum resident set, from
`resource.getrusage`) are printed per size and per megabyte. The issue this answers (15)
asked for a 10 MB module well under a minute and 2 GB.

With `--stages`, the run also prints the CPU seconds per MB of each stage of the module's
lint: sparse parsing (with Python's syntax tree), LibCST's parse (with the depth bounds),
the model (with the spans), the project facts, the rules (what is left of the file's
lint), and the rest of the run (the project stage, the second pass, the report).

Run: `python scripts/bench_size.py [--sizes 1 5 10] [--cache-share 0.1] [--output-format json] [--stages]`.
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


def module_of(megabytes: float, cache_share: float = 1.0) -> str:
    """A generated module of about `megabytes` MB, `cache_share` of its functions cache code."""
    sample = generate(CALLS_PER_FUNCTION * 100)
    calls = int(CALLS_PER_FUNCTION * 100 * megabytes * cache_share * 1_000_000 / len(sample.encode()))
    cached = generate(calls - calls % CALLS_PER_FUNCTION)
    if cache_share >= 1:
        return cached
    header_end = cached.index("\ndef ") if "\ndef " in cached else len(cached)
    header, functions = cached[:header_end], cached[header_end:].split("\n\n")
    plain_size = megabytes * 1_000_000 - len(cached.encode())
    plain = [_plain(n) for n in range(int(plain_size / len(_plain(0).encode())))]
    # one cache function every so many plain ones, from the start to the end of the module
    step = max(1, len(plain) // max(1, len(functions)))
    body = []
    for index, function in enumerate(functions):
        body += [function, *plain[index * step:(index + 1) * step]]
    body += plain[len(functions) * step:]
    return header + "\n\n".join(body) + "\n"


def _plain(n: int) -> str:
    """A function with no cache in it, about the size of a cache function of the benchmark."""
    return f'''
def total_{n}(items, limit=None):
    """Sum of the prices of {n} kinds of item, bounded by `limit`."""
    total = 0
    for item in items:
        if limit is not None and total > limit:
            break
        price = item.price * (1 + item.tax_rate)
        total += round(price, 2)
    return {{"total": total, "count": len(items), "kind": {n}}}'''


# Run in the linting process with `--stages`: each stage's function, as `_lint_source` finds
# it on its module when it runs, wrapped to add up its CPU time; the sums go to standard error.
_STAGES = """
import atexit, importlib, resource, sys, time
cpu = time.process_time
spent = {}
def timed(stage, module, name):
    module = importlib.import_module(module)
    function = getattr(module, name)
    def wrapper(*args, **kwargs):
        started = cpu()
        try:
            return function(*args, **kwargs)
        finally:
            spent[stage] = spent.get(stage, 0.0) + cpu() - started
    setattr(module, name, wrapper)
for stage, module, name in [("lint", "cachelint.engine", "_lint_source"), ("sparse", "cachelint.sparse", "reduce"),
                            ("parse", "cachelint.parsing", "parse"), ("model", "cachelint.model.build", "build_model"),
                            ("facts", "cachelint.project.extract", "facts_for")]:
    timed(stage, module, name)
def report():
    lint = spent.pop("lint", 0.0)
    spent["rules"] = lint - sum(spent.values())
    spent["rest"] = cpu() - lint
    print("stages", *(f"{stage}={seconds:.3f}" for stage, seconds in spent.items()), file=sys.stderr)
atexit.register(report)
from cachelint.cli import main
main(sys.argv[1:], prog_name="cachelint")
"""


def measure(path: Path, output_format: str = "concise",
            stages: bool = False) -> tuple[float, float, float, dict[str, float]]:
    """Wall seconds, CPU seconds (what a busy machine does not inflate) and peak resident
    megabytes of one run; with `stages`, the CPU seconds of each stage."""
    linter = ["-c", _STAGES] if stages else ["-m", "cachelint"]
    command = [sys.executable, "-c", "import resource, subprocess, sys; "
               "subprocess.run(sys.argv[1:]); "
               "usage = resource.getrusage(resource.RUSAGE_CHILDREN); "
               "print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss)",
               sys.executable, *linter, "--no-cache", "--exit-zero", "-j", "1", "--output-format", output_format,
               str(path)]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    seconds = time.monotonic() - started
    cpu, peak = done.stdout.strip().splitlines()[-1].split()
    spent = {}
    for line in done.stderr.splitlines():
        if line.startswith("stages "):
            spent = {stage: float(value) for stage, _, value in (part.partition("=") for part in line.split()[1:])}
    return seconds, float(cpu), int(peak) / 1024, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 10], help="module sizes in MB")
    parser.add_argument("--cache-share", type=float, default=1.0, help="the share of functions that use a cache")
    parser.add_argument("--output-format", default="concise", help="the report's format (json: with fingerprints)")
    parser.add_argument("--stages", action="store_true", help="also the CPU seconds per MB of each stage")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'size':>8} {'lines':>9} {'seconds':>8} {'CPU s':>8} {'CPU s/MB':>8} {'peak MB':>8} {'MB/MB':>6}")
        for size in args.sizes:
            path = Path(folder) / "big.py"
            path.write_text(module_of(size, args.cache_share))
            megabytes = os.path.getsize(path) / 1_000_000
            seconds, cpu, peak, spent = measure(path, args.output_format, args.stages)
            lines = path.read_text().count("\n")
            print(f"{megabytes:>6.2f}MB {lines:>9,} {seconds:>8.1f} {cpu:>8.1f} {cpu / megabytes:>8.1f} {peak:>8.0f} "
                  f"{peak / megabytes:>6.0f}", flush=True)
            if spent:
                print("  CPU s/MB: " + ", ".join(f"{stage} {value / megabytes:.2f}" for stage, value in spent.items()),
                      flush=True)


if __name__ == "__main__":
    main()
