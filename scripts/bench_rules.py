"""CPU per rule over a tree of projects, and the same for another revision, to compare them.

    python scripts/bench_rules.py                                   # this checkout, the benchmark's union
    python scripts/bench_rules.py --base b094c8c --rounds 5         # b094c8c against this checkout
    python scripts/bench_rules.py --tree /work/corpus/src/pretix --base main --head HEAD

Method:

1. A revision is this checkout (`--head`, by default the working tree) or a git revision,
   checked out in a temporary, detached git worktree. Each measurement is a fresh Python
   process that imports cachelint from that revision only.
2. In it, a cold run over the tree (`engine.lint_paths`, one process, no cache, the default
   selection; by default the union of the four projects `scripts/benchmark.py` fetches)
   records what every module rule's `check` was called with: the model's inputs (the text
   LibCST parsed, the rows and custom clients) and the rule's context. The run's own
   timing is not used.
3. Then, after one untimed pass over every recorded call (so that what a process fills
   once, LibCST's type checks and compiled patterns, is charged to no rule), each
   recorded call is made again, on one thread, with the cyclic collector off while a
   rule runs (as `engine.lint_source` runs it), `--repeat` times on fresh models, and the
   least CPU time (`thread_time`) of the repeats is kept (a shared machine only adds to
   a call's time), summed per rule, findings consumed:
   - *alone*: each rule on a model built afresh for it (not timed): what the rule costs
     as if no other rule ran (`--select` it), every lazy analysis of the model it asks for
     included. An analysis several rules share (key shapes, users, taint, DB facts) is
     charged in full to each of them, never to whichever runs first: a rule is not made
     cheaper by another asking first, and one whose analysis got slower is slower;
   - *in a run*: all the file's rules on one model, in the engine's order (a lazy
     analysis is charged to the first rule that asks for it, so a per-rule figure here
     moves when an analysis moves between the model's build and the rules, or between
     rules: only the sum is comparable);
   - *model*: building the model (the part every rule shares), for reference: an analysis
     moved between the model's build and a lazy one moves between it and the rules.
4. Each sum is given over every file the revision models, over the files every revision
   models (a revision that understands more models more files: its rules judge more,
   which is not a rule getting slower), and over those files' first models only (the
   engine's later passes lint some files again, whole or with the clients other modules
   make declared, and the rules judge those models too: one revision's later passes may
   model more than another's). With each sum, the cache operations the models hold, the
   sites the rules judge.
5. `--rounds` measurements of each revision alternate (base, head, head, base, ...), so
   that a change in the machine's load falls on both; the table gives per rule the
   median over the rounds and the spread (lowest-highest), and, with two revisions, the
   median and spread of the ratios of the rounds' pairs (round i of head over round i of
   base, measured one after the other).

A rule counts as slower by more than 10 % when its *alone* median ratio is above 1.10
and the spread of the paired ratios stays above 1. On a shared machine, run it under
`nice` and read the spread; a rule that costs a few milliseconds over the whole tree
(CL007, CL012, CL013) is mostly the cost of being called, and its ratio mostly noise.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TREE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cachelint-benchmark" / "src"
MEASURES = ("alone", "in a run", "model")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE, help="the folder linted (default: the benchmark's union)")
    parser.add_argument("--base", help="a git revision to compare with")
    parser.add_argument("--head", help="a git revision (default: this checkout's working tree)")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each revision (default 3)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="times each call is made in a measurement, the least kept (default 3)")
    parser.add_argument("--json", type=Path, help="write every measurement to this file")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # a child: measure the checkout at this path
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(Path(args.measure), args.tree.resolve(), args.repeat)))
        return
    if not args.tree.is_dir():
        sys.exit(f"{args.tree}: not a folder (scripts/benchmark.py fetches the default one)")
    with tempfile.TemporaryDirectory(prefix="bench-rules-") as temporary:
        revisions = {}
        if args.base:
            revisions[f"base {args.base}"] = _checkout(args.base, Path(temporary))
        revisions[f"head {args.head}" if args.head else "head (working tree)"] = (
            _checkout(args.head, Path(temporary)) if args.head else ROOT)
        try:
            runs: dict[str, list[dict]] = {name: [] for name in revisions}
            order = list(revisions)
            for round_ in range(args.rounds):
                for name in order if round_ % 2 == 0 else reversed(order):
                    runs[name].append(_child(revisions[name], args.tree.resolve(), args.repeat))
                    print(f"round {round_ + 1}: {name} done", file=sys.stderr)
        finally:
            for path in revisions.values():
                if path != ROOT:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)],
                                   capture_output=True)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1))
    print(_table(runs))


def _checkout(revision: str, parent: Path) -> Path:
    path = parent / revision.replace("/", "_")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(path), revision], check=True)
    return path


def _child(checkout: Path, tree: Path, repeat: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run([sys.executable, "-P", __file__, "--tree", str(tree), "--measure", str(checkout),
                           "--repeat", str(repeat)],
                          cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"measuring {checkout} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def _table(runs: dict[str, list[dict]]) -> str:
    names = list(runs)
    every = [set(run["files"]) for name in names for run in runs[name]]
    common = set.intersection(*every)
    rules = sorted({rule for name in names for run in runs[name] for file in run["files"].values()
                    for rule in file["alone"]})
    lines = ["files modelled: " + ", ".join(f"{name}: {len(runs[name][0]['files'])}" for name in names), ""]
    sections = (("every file each revision models", None, False),
                (f"the {len(common)} files every revision models", common, False),
                (f"the {len(common)} files every revision models, each file's first model only", common, True))
    for title, files, first in sections:
        lines += [f"== over {title}", ""]
        lines.append("cache operations in the models: " + ", ".join(
            f"{name}: {_value(runs[name][0], 'ops', '(all)', files, first):.0f}" for name in names))
        lines.append("")
        for measure in MEASURES:
            keys = ["(all)"] if measure == "model" else [*rules, "(all)"]
            lines.append(f"{measure}: CPU seconds, median (lowest-highest) of {len(runs[names[0]])} rounds")
            lines.append(f"{'rule':8}" + "".join(f"{name[:28]:>30}" for name in names)
                         + ("   head/base: median (lowest-highest) of the pairs" if len(names) == 2 else ""))
            for key in keys:
                cells, values = [], []
                for name in names:
                    values.append([_value(run, measure, key, files, first) for run in runs[name]])
                    cells.append(f"{statistics.median(values[-1]):.4f} ({min(values[-1]):.4f}-{max(values[-1]):.4f})")
                line = f"{key:8}" + "".join(f"{cell:>30}" for cell in cells)
                if len(names) == 2 and all(values[0]):
                    ratios = [head / base for base, head in zip(*values)]
                    line += f"   {statistics.median(ratios):>6.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
                lines.append(line)
            lines.append("")
    return "\n".join(lines)


def _value(run: dict, measure: str, key: str, files: set[str] | None, first: bool = False) -> float:
    """The CPU seconds of `measure` for a rule (`(all)`: every rule), or with `ops` the
    cache operations of the models, summed over `files` (None: every file the run
    modelled); with `first`, over each file's first model only."""
    total = 0.0
    for path, file in run["files"].items():
        if files is not None and path not in files:
            continue
        if first:
            file = file["first"]
        if measure in ("model", "ops"):
            total += file[measure]
        else:
            total += sum(file[measure].values()) if key == "(all)" else file[measure].get(key, 0.0)
    return total


def _measure(checkout: Path, tree: Path, repeat: int) -> dict:
    """In a child process whose cachelint is the one at `checkout`: record a cold run's
    rule calls, then time them (see the module's docstring)."""
    import threading

    assert Path(__import__("cachelint").__file__).resolve().is_relative_to(checkout.resolve()), "wrong cachelint"
    result: dict = {}
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.update(_measure_here(tree, repeat))
        except BaseException as error:  # reported by the parent thread
            failure.append(error)

    previous = threading.stack_size(512 * 1024 * 1024)  # as cachelint.parsing's deep stack
    thread = threading.Thread(target=work)
    threading.stack_size(previous)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result


def _measure_here(tree: Path, repeat: int) -> dict:
    import gc
    import time

    from cachelint import engine, parsing, rules
    from cachelint.config import Overrides, find_config, hierarchical, load_settings
    from cachelint.model import build as model_build
    from cachelint.rules.base import Rule

    sys.setrecursionlimit(50_000)
    built: dict[int, int] = {}  # id(model) -> its build (a model's rules run before the next is built)
    calls: list[tuple[int, type, object]] = []  # (index of the build, rule, context)
    builds: list[tuple] = []
    original_build = model_build.build_model

    def recording_build(*args, **kwargs):
        model = original_build(*args, **kwargs)
        builds.append(((*args[:2], None, *args[3:]), kwargs))  # the tree is made again: not kept
        built[id(model)] = len(builds) - 1
        return model

    module_rules = [rule for rule in rules.ALL_RULES if issubclass(rule, Rule)]
    checks = {rule: rule.check for rule in module_rules}

    def recording(rule):
        def check(self, model, context):
            if id(model) in built:
                calls.append((built[id(model)], rule, context))
            return checks[rule](self, model, context)
        return check

    model_build.build_model = recording_build
    if hasattr(engine, "build_model"):  # older revisions import it by name
        engine.build_model = recording_build
    for rule in module_rules:
        rule.check = recording(rule)
    settings = hierarchical(load_settings(find_config(tree)), Overrides())
    os.chdir(tree)
    engine.lint_paths([Path(".")], settings, 1, None)
    model_build.build_model = original_build
    for rule in module_rules:
        rule.check = checks[rule]
    built.clear()

    gc.collect()
    by_build: dict[int, list[tuple[type, object]]] = {}
    for index, rule, context in calls:
        by_build.setdefault(index, []).append((rule, context))
    files = []  # (path, the model's arguments, the rule calls)
    for index, file_calls in sorted(by_build.items()):
        args, kwargs = builds[index]
        module = parsing.parse_module(args[1].decode("utf-8"))  # the text LibCST parsed, so the same tree
        files.append((args[0], (*args[:2], module, *args[3:]), kwargs, file_calls))
    for _, args, kwargs, file_calls in files:  # untimed: what a process fills once
        model = original_build(*args, **kwargs)
        for rule, context in file_calls:
            _consume(rule, model, context)
    clock = time.thread_time

    def timed(work, *args, **kwargs):
        """What `work(*args, **kwargs)` returns, and the CPU seconds it took."""
        gc.disable()
        start = clock()
        result = work(*args, **kwargs)
        took = clock() - start
        gc.enable()
        return result, took

    per_file: dict[str, dict] = {}  # path -> CPU seconds of its model and of each rule, alone and in a run
    for path, args, kwargs, file_calls in files:
        seconds: dict = {"model": float("inf"), "alone": {}, "in a run": {}, "ops": 0}
        for _ in range(repeat):
            model, took = timed(original_build, *args, **kwargs)
            seconds["model"] = min(seconds["model"], took)
            seconds["ops"] = len(model.ops)
            for rule, context in file_calls:
                _, took = timed(_consume, rule, model, context)
                seconds["in a run"][rule.code] = min(seconds["in a run"].get(rule.code, took), took)
            del model
        for rule, context in file_calls:
            for _ in range(repeat):
                model = original_build(*args, **kwargs)
                _, took = timed(_consume, rule, model, context)
                seconds["alone"][rule.code] = min(seconds["alone"].get(rule.code, took), took)
                del model
        if path not in per_file:
            per_file[path] = {**seconds, "alone": dict(seconds["alone"]), "in a run": dict(seconds["in a run"]),
                              "first": seconds}
        else:  # a file linted again adds
            total = per_file[path]
            total["model"] += seconds["model"]
            total["ops"] += seconds["ops"]
            for measure in ("alone", "in a run"):
                for code, took in seconds[measure].items():
                    total[measure][code] = total[measure].get(code, 0.0) + took
    return {"files": per_file}


def _consume(rule, model, context) -> None:
    try:
        list(rule().check(model, context))
    except Exception:  # the engine isolates a rule's failure; so does its timing
        pass


if __name__ == "__main__":
    main()
