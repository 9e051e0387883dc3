"""Time cachelint against Ruff, Fixit and a bare LibCST parse on four real projects.

    pip install -e '.[bench]'          # Ruff; Fixit gets a virtualenv of its own (below)
    python scripts/benchmark.py         # everything, about 10 minutes on 2 cores
    python scripts/benchmark.py --runs 3 --skip-fixit --skip-no-prefilter   # quicker

Method:

1. The sdists of django 5.2.19, weblate 5.14.3, apache-superset 6.1.0 and wagtail 8.0.1
   are fetched by pinned version with `pip download --no-deps --no-binary :all:` into
   `<workdir>/sdists`. When pip cannot prepare a package's metadata (weblate's build
   needs its own build dependencies), the same file is taken from the registry's simple
   index (PEP 691 JSON) and checked against its SHA-256. They are extracted into `<workdir>/src`.
2. Every command runs in `<workdir>/src` on the union of the four trees, `--runs` times
   (the slow references `--slow-runs` times); Ruff, cachelint cold (both) and warm take
   turns, a round running each once, so that a change in the machine's load falls on all
   alike. The table shows the median wall time and CPU time, and the largest peak memory
   (the resident memory of the command and all its processes, summed, sampled every 20 ms).
3. cachelint's modules are compiled to bytecode first (as `pip install` does), then it
   runs as `python -m cachelint check`, writing its report to /dev/null: cold
   (`--no-cache`), with 1 process and with one per core (the default); warm (a second
   run on its result cache, nothing changed); warm after `touch` of one file; warm after
   an edit of that file (a comment appended, so that it is parsed again; undone after).
4. The references: `libcst.parse_module` of every file cachelint would lint, in 1 and 2
   processes; Fixit 2.2.1 (in `<workdir>/fixit-venv`, since it needs click < 8.2) with a
   single rule that does nothing; `ruff check --no-cache --isolated` (default rules).
5. Findings: cachelint's rule findings must be the same cold, cold with 1 process, warm,
   and cold without the prefilter (`--no-prefilter`, which parses every file).
6. Start-up (`--start-up` runs only this, in seconds): `cachelint --version` against
   `ruff --version`, and one small file (SMALL_FILE, in a folder of its own) cold
   (`--no-cache`) and warm (its result cached) against `ruff check --no-cache` on it.
7. Another tree (`--tree DIR`: only this runs, not items 1-6): cachelint cold
   (`--no-cache`, one process per core) and warm (on its result cache, filled by a run
   before, nothing changed) against `ruff check --no-cache --isolated`, in DIR, on the
   folders `--project NAME` (repeatable) or `--projects-from FILE` (a name a line, `#`
   comments) names, or on all of DIR. The three commands take turns, `--runs` rounds of
   ruff, cold, warm, so that a change in the machine's load falls on all three alike; the
   ratios are of the median wall times, with the CPU times (user + system, all
   processes) beside them. For the real projects of issue 13:

       python scripts/benchmark.py --tree /work/corpus/src --projects-from scripts/understood.txt
"""
from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORKDIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cachelint-benchmark"
PROJECTS = (("django", "5.2.19"), ("weblate", "5.14.3"), ("apache-superset", "6.1.0"), ("wagtail", "8.0.1"))
FIXIT = "fixit==2.2.1"
TOUCHED = "django-5.2.19/django/core/cache/__init__.py"  # a module that uses the cache
NOOP_RULE = '''from fixit import LintRule


class NoOp(LintRule):
    """Reports nothing: what Fixit costs before any rule does any work."""
'''
SMALL_FILE = '''import redis

r = redis.Redis()


def profile(user_id):
    cached = r.get(f"profile:{user_id}")
    if cached is not None:
        return cached
    value = load(user_id)
    r.set(f"profile:{user_id}", value, ex=300)
    return value


def load(user_id):
    return {"id": user_id}
'''
PARSE_ONLY = '''import sys
from multiprocessing import Pool

import libcst


def parse(path):
    with open(path, "rb") as stream:
        source = stream.read()
    try:
        libcst.parse_module(source)
    except Exception:
        pass


if __name__ == "__main__":
    files = open(sys.argv[2]).read().split("\\n")
    jobs = int(sys.argv[1])
    if jobs == 1:
        for path in files:
            parse(path)
    else:
        with Pool(jobs) as pool:
            for _ in pool.imap_unordered(parse, files, 8):
                pass
'''


# ---------------------------------------------------------------------- fetching


def fetch(workdir: Path) -> list[Path]:
    """The extracted source trees, fetched and extracted when missing."""
    sdists, sources = workdir / "sdists", workdir / "src"
    sdists.mkdir(parents=True, exist_ok=True)
    sources.mkdir(parents=True, exist_ok=True)
    trees = []
    for name, version in PROJECTS:
        archive = _find_sdist(sdists, name, version) or _download(sdists, name, version)
        with tarfile.open(archive) as tar:
            tree = sources / tar.next().name.split("/")[0]
            if not tree.is_dir():
                print(f"extracting {archive.name}", file=sys.stderr)
                tar.extractall(sources, filter="data")
        trees.append(tree)
    return trees


def _find_sdist(folder: Path, name: str, version: str) -> Path | None:
    wanted = f"{name}-{version}.tar.gz".lower().replace("-", "_")
    return next((p for p in folder.glob("*.tar.gz") if p.name.lower().replace("-", "_") == wanted), None)


def _download(folder: Path, name: str, version: str) -> Path:
    print(f"fetching {name}=={version}", file=sys.stderr)
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-d", str(folder),
           f"{name}=={version}"]
    if subprocess.run(pip, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        print(f"  pip could not prepare {name}'s metadata: taking the sdist from the registry's simple index",
              file=sys.stderr)
        _download_from_registry(folder, name, version)
    found = _find_sdist(folder, name, version)
    if found is None:
        sys.exit(f"no sdist of {name}=={version} in {folder}")
    return found


def _download_from_registry(folder: Path, name: str, version: str) -> None:
    """The sdist as pip would find it: from the registry's simple index (its JSON form,
    PEP 691), checked against the SHA-256 the index gives."""
    request = urllib.request.Request(
        f"https://pypi.org/simple/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        index = json.load(response)
    wanted = f"{name}-{version}.tar.gz".lower().replace("-", "_")
    [sdist] = [f for f in index["files"] if f["filename"].lower().replace("-", "_") == wanted]
    with urllib.request.urlopen(sdist["url"], timeout=600) as response:
        data = response.read()
    if hashlib.sha256(data).hexdigest() != sdist["hashes"]["sha256"]:
        sys.exit(f"{sdist['filename']}: the SHA-256 does not match the registry's")
    (folder / sdist["filename"]).write_bytes(data)


# ---------------------------------------------------------------------- measuring


@dataclass
class Measured:
    label: str
    walls: list[float] = field(default_factory=list)
    peak_mb: float = 0.0
    cpus: list[float] = field(default_factory=list)  # user + system seconds of the command and its processes

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def measure(label: str, command: list[str], cwd: Path, runs: int, before=None, env=None,
            failed=lambda code: code not in (0, 1)) -> Measured:
    result = Measured(label)
    for _ in range(runs):
        if before is not None:
            before()
        run_once(result, command, cwd, env, failed)
    print(f"{label}: {result.wall:.2f} s, {result.peak_mb:.0f} MB", file=sys.stderr)
    return result


def in_turns(commands: dict[str, tuple[str, list[str]]], cwd: Path, runs: int) -> dict[str, Measured]:
    """Each command (key -> label, command line) `runs` times, taking turns: a round runs
    each once, so that a change in the machine's load falls on all alike, and the ratios
    of their medians hold on a busy machine too."""
    results = {key: Measured(label) for key, (label, _) in commands.items()}
    for round_ in range(runs):
        for key, (_, command) in commands.items():
            run_once(results[key], command, cwd)
        print(f"round {round_ + 1}: " + ", ".join(f"{key} {results[key].walls[-1]:.2f} s" for key in commands),
              file=sys.stderr)
    return results


def run_once(result: Measured, command: list[str], cwd: Path, env=None,
             failed=lambda code: code not in (0, 1)) -> None:
    """Run `command` once, adding its wall time, CPU time and peak memory to `result`."""
    started, used = time.perf_counter(), _children_cpu()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = _PeakMemory(process.pid)
    _, stderr = process.communicate()
    result.walls.append(time.perf_counter() - started)
    result.cpus.append(_children_cpu() - used)
    result.peak_mb = max(result.peak_mb, sampler.stop() / 1024)
    if failed(process.returncode):
        sys.exit(f"{result.label} failed ({process.returncode}):\n{stderr.decode(errors='replace')[-2000:]}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class _PeakMemory:
    """The largest total resident memory of a process and its descendants (Linux /proc;
    elsewhere nothing is measured)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak_kb

    def _sample(self) -> None:
        while not self._done.wait(0.02):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(pid) for pid in _tree(self.pid)))


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stream:
                    parent = int(stream.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(parent, []).append(int(entry))
    tree, stack = [], [root]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(parents.get(pid, ()))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as stream:
            for line in stream:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# ---------------------------------------------------------------------- the tools


def cachelint(*args: str) -> list[str]:
    return [sys.executable, "-m", "cachelint", "check", "--exit-zero", *args]


def ruff_command() -> list[str]:
    ruff = shutil.which("ruff", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if ruff is None:
        sys.exit("ruff is missing: pip install -e '.[bench]'")
    return [ruff, "check", "--no-cache", "--isolated", "--exit-zero", "--quiet"]


def fixit_command(workdir: Path) -> tuple[list[str], dict[str, str]]:
    venv = workdir / "fixit-venv"
    fixit = venv / "bin" / "fixit"
    if not fixit.exists():
        print(f"installing {FIXIT} into {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", FIXIT], check=True)
    rules = workdir / "fixit-rules"
    rules.mkdir(exist_ok=True)
    (rules / "bench_noop.py").write_text(NOOP_RULE)
    return [str(fixit), "--rules", "bench_noop", "lint"], {**os.environ, "PYTHONPATH": str(rules)}


def findings(sources: Path, trees: list[str], *args: str) -> set[tuple]:
    """cachelint's rule findings: file, position, code, message."""
    output = subprocess.run(cachelint("--output-format", "json", *args, *trees), cwd=sources,
                            capture_output=True, check=True).stdout
    return {
        (d["filename"], d["location"]["row"], d["location"]["column"], d["code"], d["message"])
        for d in json.loads(output) if d["code"]
    }


def load_average() -> str:
    """The machine's load over the last 1, 5 and 15 minutes: what the times shared the cores with."""
    return " / ".join(f"{load:.1f}" for load in os.getloadavg())


def version_of(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()[0]


# ---------------------------------------------------------------------- the run


def compile_bytecode() -> None:
    """Compile cachelint's modules, as `pip install` does: with an editable install in an
    environment that sets PYTHONDONTWRITEBYTECODE, every run would compile them again."""
    compileall.compile_dir(ROOT / "cachelint", quiet=1)


def start_up(workdir: Path, runs: int) -> dict[str, Measured]:
    """What a call costs before any real work: `--version`, and one small file."""
    folder = workdir / "small"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "app.py").write_text(SMALL_FILE)
    ruff = ruff_command()
    version = [sys.executable, "-m", "cachelint", "--version"]
    warm = cachelint("--cache-dir", str(folder / "cache"), "app.py")
    subprocess.run(warm, cwd=folder, stdout=subprocess.DEVNULL, check=True)  # fill the cache
    return {
        "ruff-version": measure("ruff --version", ruff[:1] + ["--version"], folder, runs),
        "version": measure("cachelint --version", version, folder, runs),
        "ruff-small": measure("ruff check, one small file", ruff + ["app.py"], folder, runs),
        "small-cold": measure("cachelint, one small file, cold", cachelint("--no-cache", "app.py"), folder, runs),
        "small-warm": measure("cachelint, one small file, warm", warm, folder, runs),
    }


def render_start_up(results: dict[str, Measured]) -> str:
    """Wall time, and CPU time (what the call costs on a machine busy with other work,
    where wall time also counts the waiting)."""
    rows = [f"Load average {load_average()} (over 1, 5 and 15 minutes).", "", "| call | wall s | CPU s | Ruff wall s |", "|---|---:|---:|---:|"]
    for key, ruff in (("version", "ruff-version"), ("small-cold", "ruff-small"), ("small-warm", "ruff-small")):
        rows.append(f"| {results[key].label} | {results[key].wall:.3f} | {results[key].cpu:.3f} | "
                    f"{results[ruff].wall:.3f} |")
    targets = [
        (f"`--version` ≤ 0.1 s (wall {results['version'].wall:.3f}, CPU {results['version'].cpu:.3f})",
         results["version"].wall <= 0.1),
        (f"one small file, warm ≤ 0.15 s (wall {results['small-warm'].wall:.3f}, CPU {results['small-warm'].cpu:.3f})",
         results["small-warm"].wall <= 0.15),
        (f"one small file, cold ≤ 0.35 s (wall {results['small-cold'].wall:.3f}, CPU {results['small-cold'].cpu:.3f})",
         results["small-cold"].wall <= 0.35),
    ]
    return "\n".join([*rows, "", *(f"- {'met' if met else 'MISSED'}: {target}" for target, met in targets), ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="where sdists, trees and tools go")
    parser.add_argument("--runs", type=int, default=5, help="runs of each fast command (the median counts)")
    parser.add_argument("--slow-runs", type=int, default=1, help="runs of Fixit and the parse-only references")
    parser.add_argument("--skip-fixit", action="store_true")
    parser.add_argument("--skip-no-prefilter", action="store_true", help="skip the slow findings check")
    parser.add_argument("--start-up", action="store_true", help="measure only the start-up (item 6 of the method)")
    parser.add_argument("--tree", type=Path, help="measure only cold and warm against Ruff on this tree (item 7)")
    parser.add_argument("--project", action="append", default=[], help="with --tree: a folder of it (repeatable)")
    parser.add_argument("--projects-from", type=Path, help="with --tree: a file naming its folders, one a line")
    options = parser.parse_args()
    workdir = options.workdir.resolve()
    # Every `python -m cachelint` below runs in the benchmark's trees: without this it would
    # import whichever checkout is installed, not the one this script belongs to.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    compile_bytecode()
    if options.tree is not None:
        print(other_tree(options.tree.resolve(), projects(options), workdir, options.runs))
        return
    started = start_up(workdir, max(options.runs, 10))
    print(render_start_up(started))
    if options.start_up:
        return
    trees = [tree.name for tree in fetch(workdir)]
    sources = workdir / "src"
    jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    # The files cachelint would lint, for the parse-only references and the counts.
    sys.path.insert(0, str(ROOT))
    from cachelint.config import Settings
    from cachelint.discover import discover

    files = discover([sources / t for t in trees], Settings(root=sources)).files
    file_list = workdir / "files.txt"
    file_list.write_text("\n".join(files))
    lines = sum(Path(p).read_bytes().count(b"\n") for p in files)
    (workdir / "parse_only.py").write_text(PARSE_ONLY)
    parse_only = [sys.executable, str(workdir / "parse_only.py")]

    cache_dir = workdir / "cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    warm = cachelint("--cache-dir", str(cache_dir), *trees)
    touched = sources / TOUCHED
    original = touched.read_bytes()
    edits = iter(range(1_000_000))

    def touch() -> None:
        os.utime(touched)

    def edit() -> None:
        touched.write_bytes(original + f"# edit {next(edits)}\n".encode())

    runs = options.runs
    ruff = ruff_command()
    subprocess.run(warm, cwd=sources, stdout=subprocess.DEVNULL, check=True)  # fill the cache
    results = in_turns({
        "ruff": ("ruff check --no-cache --isolated", ruff + trees),
        "cold": (f"cachelint cold (--no-cache, -j {jobs})", cachelint("--no-cache", *trees)),
        "cold1": ("cachelint cold, 1 process (-j 1)", cachelint("--no-cache", "-j", "1", *trees)),
        "warm": ("cachelint warm, nothing changed", warm),
    }, sources, runs)
    results["touched"] = measure("cachelint warm, one file touched", warm, sources, runs, before=touch)
    try:
        results["edited"] = measure("cachelint warm, one file edited", warm, sources, runs, before=edit)
    finally:
        touched.write_bytes(original)
    results["parse1"] = measure("LibCST parse only, 1 process", parse_only + ["1", str(file_list)], sources,
                                options.slow_runs)
    results["parse2"] = measure("LibCST parse only, 2 processes", parse_only + ["2", str(file_list)], sources,
                                options.slow_runs)
    if not options.skip_fixit:
        fixit, env = fixit_command(workdir)
        # Fixit exits 2 when a file does not parse (django has one with a syntax error on purpose).
        results["fixit"] = measure("Fixit 2.2.1, one no-op rule", fixit + trees, sources, options.slow_runs, env=env,
                                   failed=lambda code: code not in (0, 1, 2))

    print("checking findings...", file=sys.stderr)
    reference = findings(sources, trees, "--no-cache")
    checks = {
        "-j 1": findings(sources, trees, "--no-cache", "-j", "1") == reference,
        "warm cache": findings(sources, trees, "--cache-dir", str(cache_dir)) == reference,
    }
    if not options.skip_no_prefilter:
        checks["no prefilter"] = findings(sources, trees, "--no-cache", "--no-prefilter") == reference

    versions = {
        "python": platform.python_version(), "cores": jobs,
        "libcst": version_of([sys.executable, "-c", "import importlib.metadata as m; print(m.version('libcst'))"]),
        "ruff": version_of(ruff[:1] + ["--version"]),
        "load": load_average(),
    }
    report = render(results, checks, len(reference), len(files), lines, versions)
    print(report)
    (workdir / "results.md").write_text(report)
    (workdir / "results.json").write_text(json.dumps(
        {"versions": versions, "files": len(files), "lines": lines, "findings": len(reference), "checks": checks,
         "results": {key: {"label": m.label, "walls": m.walls, "cpus": m.cpus, "peak_mb": m.peak_mb}
                     for key, m in results.items()}},
        indent=2,
    ))


def projects(options: argparse.Namespace) -> list[str]:
    """The folders of `--tree` that `--project` and `--projects-from` name."""
    names = list(options.project)
    if options.projects_from is not None:
        lines = options.projects_from.read_text().splitlines()
        names += [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]
    missing = [name for name in names if not (options.tree / name).is_dir()]
    if missing:
        sys.exit(f"not a folder of {options.tree}: {', '.join(missing)}")
    return names


def other_tree(tree: Path, names: list[str], workdir: Path, runs: int) -> str:
    """Item 7 of the method: cachelint cold and warm against Ruff on another tree."""
    targets = names or ["."]
    cache_dir = workdir / "tree-cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    warm = cachelint("--cache-dir", str(cache_dir), *targets)
    subprocess.run(warm, cwd=tree, stdout=subprocess.DEVNULL, check=True)  # fill the cache
    results = in_turns({
        "ruff": ("ruff check --no-cache --isolated", ruff_command() + targets),
        "cold": ("cachelint cold (--no-cache, one process per core)", cachelint("--no-cache", *targets)),
        "warm": ("cachelint warm, nothing changed", warm),
    }, tree, runs)
    ruff = results["ruff"].wall
    rows = ["| run | wall s | CPU s | peak MB | × Ruff (wall) | × Ruff (CPU) |", "|---|---:|---:|---:|---:|---:|"]
    for measured in results.values():
        rows.append(f"| {measured.label} | {measured.wall:.2f} | {measured.cpu:.2f} | {measured.peak_mb:.0f} | "
                    f"{measured.wall / ruff:.2f} | {measured.cpu / results['ruff'].cpu:.2f} |")
    targets_met = [
        ("cold ≤ 2 × Ruff", results["cold"].wall <= 2 * ruff),
        ("warm, nothing changed ≤ 0.5 × Ruff", results["warm"].wall <= 0.5 * ruff),
    ]
    where = f"{len(names)} folders of {tree}" if names else str(tree)
    return "\n".join([
        f"{where}; median of {runs} rounds (ruff, cold, warm in turn); load average {load_average()}.",
        "", *rows, "", *(f"- {'met' if met else 'MISSED'}: {target}" for target, met in targets_met), "",
    ])


def render(results: dict[str, Measured], checks: dict[str, bool], findings_count: int, files: int, lines: int,
           versions: dict) -> str:
    ruff = results["ruff"].wall
    fixit = results["fixit"].wall if "fixit" in results else None
    rows = [
        "| run | wall s | CPU s | peak MB | × Ruff | Fixit ÷ this |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for measured in results.values():
        speedup = f"{fixit / measured.wall:.0f}" if fixit else "–"
        rows.append(f"| {measured.label} | {measured.wall:.2f} | {measured.cpu:.2f} | {measured.peak_mb:.0f} | "
                    f"{measured.wall / ruff:.2f} | {speedup} |")
    cold, warm, touched = results["cold"].wall, results["warm"].wall, results["touched"].wall
    peak = max(results[key].peak_mb for key in ("cold", "warm", "touched", "edited"))
    targets = [
        ("cold ≤ 2 × Ruff", cold <= 2 * ruff),
        # Without Fixit's run (--skip-fixit) there is nothing to compare: not said at all.
        *([("cold ≥ 50 × faster than Fixit", fixit / cold >= 50)] if fixit is not None else []),
        ("warm, nothing changed ≤ 0.5 × Ruff", warm <= 0.5 * ruff),
        ("warm, one file touched ≤ 1 × Ruff", touched <= ruff),
        (f"peak memory ≤ 300 MB ({peak:.0f})", peak <= 300),
        *((f"findings identical: {name}", same) for name, same in checks.items()),
    ]
    return "\n".join([
        f"{files:,} Python files, {lines:,} lines (django 5.2.19, weblate 5.14.3, apache-superset 6.1.0, "
        f"wagtail 8.0.1); {findings_count} findings. Python {versions['python']}, LibCST {versions['libcst']}, "
        f"{versions['ruff']}, {versions['cores']} cores, load average {versions['load']}. Median wall time, and CPU "
        f"time (user + system, all processes: on a busy machine the steadier figure); peak memory summed over processes.",
        "",
        *rows,
        "",
        *(f"- {'met' if met else 'MISSED'}: {target}" for target, met in targets),
        "",
    ])


if __name__ == "__main__":
    main()
