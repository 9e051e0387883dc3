"""The command line, spelled as Ruff spells it.

    cachelint [check] [PATHS]...     lint (the default command; PATHS default to `.`)
    cachelint rule CL002             explain a rule (code or name; --all for every rule)
    cachelint keys [PATHS]...        list the cached namespaces of each DB entity
    cachelint clean                  remove the result cache
    cachelint server                 the language server, for editors (LSP over stdio)

Exit status: 0 clean, 1 findings, 2 usage, configuration or internal error, 130
interrupted (Ctrl-C).
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from cachelint import __version__
from cachelint.diagnostic import Diagnostic
from cachelint.report import FORMATS, ReportContext, render
from cachelint.report.paths import project_root

if TYPE_CHECKING:
    from cachelint.baseline import Entry
    from cachelint.config import Overrides, Settings
    from cachelint.engine import RunResult

# What parses, models and checks code (LibCST, the model, the rules) is imported by the
# commands that need it, not here: `--version`, `--help` and a mistyped command cost
# only click.

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT
# A run that takes longer than this on a terminal shows how long it has been going.
PROGRESS_AFTER_SECONDS = 1.0


_CACHE_DIR_HELP = "Where to keep the result cache.  [default: .cachelint_cache next to the configuration, or here]"


class Cli(click.Group):
    """`cachelint src/` means `cachelint check src/`, as with Ruff; and a crash anywhere
    exits 2 like any internal error, never 1, which would read as "findings"."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            if args and _mistyped_command(args[0]):
                import difflib

                close = difflib.get_close_matches(args[0], list(self.commands), n=1)
                hint = f"; did you mean `{close[0]}`?" if close else f" (commands: {', '.join(self.commands)})"
                raise click.UsageError(f"`{args[0]}` is neither a command nor a file or folder{hint}", ctx)
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:  # Ctrl-C: no report, and the status a shell gives SIGINT
            sys.exit(EXIT_INTERRUPTED)
        except Exception:
            import traceback

            click.echo(f"error: internal error:\n{traceback.format_exc()}", err=True)
            sys.exit(EXIT_ERROR)


def _mistyped_command(word: str) -> bool:
    """A first argument that names no file or folder and does not look like a path
    (`chek`, not `src/app.py`) was meant as a command."""
    looks_like_path = word.startswith("-") or "/" in word or os.sep in word or word.endswith((".py", ".pyi")) or word in (".", "..")
    return not looks_like_path and not os.path.lexists(word)


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cachelint", message="%(prog)s %(version)s")
def main() -> None:
    """cachelint: find caching mistakes in Python code before production does."""


def _selectors(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...] | None:
    from cachelint import selection
    if not values:
        return None
    selectors = tuple(part.strip() for value in values for part in value.split(",") if part.strip())
    for selector in selectors:
        try:
            selection.validate(selector)
        except selection.UnknownSelector:
            raise click.BadParameter(f"unknown rule selector `{selector}`") from None
    return selectors


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, callback=_selectors, help="Rules to enable: codes, prefixes, names or ALL (comma-separated). Replaces `select` from the configuration.")
@click.option("--ignore", multiple=True, callback=_selectors, help="Rules to disable, on top of the configuration.")
@click.option("--extend-select", multiple=True, callback=_selectors, help="Rules to enable, on top of the configuration.")
@click.option("--fix", is_flag=True, help="Apply the fixes that do not change behaviour (all of them with --unsafe-fixes).")
@click.option("--unsafe-fixes", is_flag=True, help="Let --fix and --diff apply fixes that change runtime behaviour too.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of applying them; exit 1 if there are any.")
@click.option("--output-format", type=click.Choice(FORMATS), default="full", show_default=True)
@click.option("--statistics", is_flag=True, help="Show counts per rule instead of each finding.")
@click.option("--exit-zero", is_flag=True, help="Exit with status 0 even when there are findings.")
@click.option("--stdin-filename", type=click.Path(path_type=Path), help="Read the source from standard input and report it under this name.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="A pyproject.toml or TOML file to read settings from.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes to lint in.  [default: one per core]")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path), envvar="CACHELINT_CACHE_DIR", help=_CACHE_DIR_HELP)
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path), help="Report only the findings not recorded in this baseline file.  [default: `baseline` from the configuration]")
@click.option("--write-baseline", type=click.Path(path_type=Path), help="Record the current findings in this baseline file, and report none.")
@click.option("--force-exclude", is_flag=True, help="Apply the excludes (and .gitignore) to files named explicitly too, as a pre-commit hook wants.")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None, help="Leave out what git ignores (.gitignore, .git/info/exclude).  [default: respect]")
@click.option("-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to this file instead of standard output.")
@click.option("-q", "--quiet", is_flag=True, help="Print the findings and nothing else: no summary, no progress, no notes.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True, help="Colour the full and concise output; `auto`: on a terminal, unless NO_COLOR is set (FORCE_COLOR forces it).")
@click.option("--add-noqa", is_flag=True, help="Add a `# noqa: CODE` comment for each finding (to adopt cachelint on code with findings), and report none.")
@click.option("--show-files", is_flag=True, help="List the files that would be checked, and check none.")
@click.option("--show-settings", is_flag=True, help="Show the settings the first file (or PATH) would be checked with, and check nothing.")
@click.option("--no-prefilter", is_flag=True, hidden=True, help="Parse every file, also those the prefilter rules out (to check the prefilter).")
def check(paths, select, ignore, extend_select, fix, unsafe_fixes, diff, output_format, statistics, exit_zero,
          stdin_filename, config_path, jobs, no_cache, cache_dir, baseline_path, write_baseline, force_exclude,
          respect_gitignore, output_file, quiet, color, add_noqa, show_files, show_settings, no_prefilter) -> None:
    """Lint PATHS (files or folders, `.` by default; `-` reads standard input)."""
    from cachelint import cache, engine, parallel, selection
    from cachelint.config import Overrides

    stdin = _reads_stdin(paths, stdin_filename)
    paths = list(paths) or [Path(".")]
    # Never linted as Python (its JSON would pass as clean): said so, and not a finding.
    for notebook in (path for path in paths if path.suffix == ".ipynb" and not stdin):
        click.echo(f"warning: {_displayable(str(notebook))}: not checked: cachelint does not read Jupyter notebooks",
                   err=True)
    paths = [path for path in paths if path.suffix != ".ipynb" or stdin]
    if not paths:
        sys.exit(EXIT_CLEAN)
    overrides = Overrides(selection.Selection(select, ignore or (), extend_select or ()), force_exclude or None,
                          respect_gitignore)
    with _configuration_errors():
        settings = _settings([stdin_filename or Path.cwd()] if stdin else paths, config_path, overrides)
        if show_files or show_settings:
            listing = _show_files(paths, settings) if show_files else _show_settings(paths, stdin_filename, settings)
            _write(listing, output_file, to_stderr=False)
            sys.exit(EXIT_CLEAN)
        with _progress(shown=not quiet and not stdin and _on_terminal(sys.stderr)):
            if stdin:
                raw = sys.stdin.buffer.read()
                run = engine.lint_text(str(stdin_filename or "-"), raw, settings, prefilter=not no_prefilter)
            else:
                cache_dir = None if no_cache else cache_dir or settings.root / cache.DIRECTORY_NAME
                run = engine.lint_paths(paths, settings, jobs or parallel.default_jobs(), cache_dir,
                                        prefilter=not no_prefilter, part_of_the_project=_is_part_of_the_project(paths, settings))
    note = (lambda message: None) if quiet else (lambda message: click.echo(message, err=True))
    if add_noqa:
        if stdin:
            raise click.UsageError("--add-noqa changes files: it cannot read standard input")
        _add_noqa(run, note)
        _exit(run, failed=False)
    fixed = []
    if fix or diff:
        from cachelint import fix as fixes  # LibCST: fixes are made on the parsed module

        fixed = fixes.fix_run(run, settings, unsafe_fixes, fix and not diff and not stdin, paths)
    applied = sum(f.applied for f in fixed)

    if diff:
        diffs = b"".join(fixes.unified_diff(f) for f in fixed)
        _write(diffs, output_file, to_stderr=False)
        if applied:
            note(f"Would fix {_errors(applied)}.")
        _exit(run, failed=bool(diffs) and not exit_zero)
    # As with Ruff, fixing standard input prints the fixed source, and the report on stderr.
    report_to_stderr = fix and stdin
    if report_to_stderr:
        click.echo(fixed[0].text.encode(fixed[0].before.encoding) if fixed else raw, nl=False)
    diagnostics = run.diagnostics
    root = project_root(settings.root)
    baseline_path = baseline_path or settings.baseline
    if write_baseline is not None:
        _write_baseline(write_baseline, _fingerprinted(diagnostics, run, root), note)
        _exit(run, failed=False)
    stale: list[Entry] = []
    # A baseline's fingerprints are taken over the whole run (a report of its new findings
    # must not number them afresh); without one, only by the formats that show them (each
    # reads the file around a finding).
    fingerprints = None
    if baseline_path is not None:
        entries = _fingerprinted(diagnostics, run, root)
        fingerprints = {d: entry.fingerprint for d, entry in entries.items()}
        diagnostics, stale = _against_baseline(baseline_path, entries, run, root)
    if statistics:
        report = _statistics(diagnostics, output_format, unsafe_fixes)
    else:
        stream = sys.stderr if report_to_stderr else sys.stdout
        colored = output_format in ("full", "concise") and output_file is None and _colored(color, stream)
        unresolved = sum(len(file.unresolved) for file in run.files)
        context = ReportContext(run.sources, colored, unsafe_fixes, root, fingerprints, summary=not quiet,
                                unresolved=unresolved, docs_url=settings.docs_url)
        report = render(output_format, diagnostics, context)
    _write(report, output_file, to_stderr=report_to_stderr)
    _report_stale(stale, baseline_path, note)
    if applied:
        note(f"Fixed {_errors(applied)}.")
    _exit(run, failed=bool(diagnostics) and not exit_zero)


def _displayable(text: str) -> str:
    """`text` with the bytes of file names that are not UTF-8 (which Python keeps as lone
    surrogates) shown as `\\xe9`: no stream or file can encode them as they are."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _write(text: str | bytes, output_file: Path | None, to_stderr: bool) -> None:
    """The report on standard output (or error), or in `--output-file` (its folder made);
    bytes (a diff, in the encodings of its files) as they are."""
    data = text if isinstance(text, bytes) else _displayable(text).encode("utf-8")
    if output_file is None:
        # Never stripped by click: whether to colour was decided already (`_colored`).
        click.echo(text if isinstance(text, bytes) else _displayable(text), nl=False, err=to_stderr, color=True)
        return
    try:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        output_file.write_bytes(data)
    except OSError as error:
        click.echo(f"error: {output_file}: cannot write the report: {error.strerror or error}", err=True)
        sys.exit(EXIT_ERROR)


def _on_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _colored(choice: str, stream) -> bool:
    """`--color always|never`; else FORCE_COLOR, then NO_COLOR (https://no-color.org), then
    whether the report goes to a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return _on_terminal(stream)


@contextlib.contextmanager
def _progress(shown: bool):
    """On a terminal, a run that takes more than a second shows how long it has taken on
    standard error (written with os.write, which takes no lock a forked worker could
    inherit held), and clears it when done."""
    if not shown:
        yield
        return
    done = threading.Event()

    def tick() -> None:
        started = time.monotonic()
        if done.wait(PROGRESS_AFTER_SECONDS):
            return
        while not done.wait(0.5):
            os.write(2, f"\rcachelint: checking… {time.monotonic() - started:.0f} s".encode())
        os.write(2, b"\r\x1b[K")

    thread = threading.Thread(target=tick, name="cachelint-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def _show_files(paths: list[Path], settings: Settings) -> str:
    from cachelint.discover import discover

    found = discover(paths, settings)
    for path, reason in found.errors:
        click.echo(f"error: {path}: {reason}", err=True)
    return "".join(f"{os.path.abspath(name)}\n" for name in found.files)


def _show_settings(paths: list[Path], stdin_filename: Path | None, settings: Settings) -> str:
    """The settings a file is checked with: the first file found under the paths, as Ruff."""
    import json

    from cachelint.config import declared
    from cachelint.discover import discover

    found = [str(stdin_filename)] if stdin_filename else discover(paths, settings).files or [str(paths[0])]
    own = settings.for_file(found[0])
    from cachelint import rules

    enabled = own.codes_for(found[0])
    lines = {
        "file": os.path.abspath(found[0]),
        "configuration": str(own.source) if own.source else "(none: the defaults)",
        "root": str(own.root),
        "select": own.select,
        "ignore": own.ignore,
        "extend-select": own.extend_select,
        "inherited": [dataclasses.asdict(layer) for layer in own.inherited],
        "command-line": dataclasses.asdict(own.command_line),
        "enabled": sorted(enabled),
        "exclude": "(the defaults)" if own.exclude is None else own.exclude,
        "extend-exclude": own.extend_exclude,
        "per-file-ignores": own.per_file_ignores,
        "force-exclude": own.force_exclude,
        "respect-gitignore": own.respect_gitignore,
        "baseline": str(own.baseline) if own.baseline else None,
        "rules": {rule.name: own.options_for(rule) for rule in rules.ALL_RULES if rule.code in enabled and rule.options},
        "clients": declared(own.clients),
    }
    return "".join(f"{key} = {json.dumps(value, default=str)}\n" for key, value in lines.items())


def _settings(paths: list[Path], config_path: Path | None, overrides: Overrides) -> Settings:
    """The run's settings: those of `--config` for every file; else each file's nearest
    configuration, the run's own (its root, where the cache lives) being the nearest to
    the folder all the paths are in, so that their order does not matter."""
    from cachelint.config import find_config, hierarchical, load_settings
    if config_path is not None:
        return overrides.apply(load_settings(config_path))
    common = os.path.commonpath([os.path.abspath(path) for path in paths])
    return hierarchical(load_settings(find_config(Path(common))), overrides)


def _is_part_of_the_project(paths: list[Path], settings: Settings) -> bool:
    """Whether the paths are files inside a project, as a hook gives the files of a
    commit: their findings are then those of the whole project. The project is the folder
    of the configuration, or else the working directory when it is a repository's root
    (not any folder, such as a home folder, that a file happens to be in)."""
    root = os.path.abspath(settings.root)
    if settings.source is None and not os.path.exists(os.path.join(root, ".git")):
        return False
    inside = root.rstrip(os.sep) + os.sep
    return all(os.path.abspath(path).startswith(inside) and path.is_file() for path in paths)


@contextlib.contextmanager
def _configuration_errors():
    """A configuration that is wrong, wherever it is found, is exit status 2 and a message."""
    from cachelint.config import ConfigError
    try:
        yield
    except ConfigError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)


def _add_noqa(run: RunResult, note) -> None:
    """Write a `# noqa` for each finding into its file, when the file still parses after."""
    import ast

    from cachelint import suppressions
    from cachelint.fix import write_keeping_metadata

    added = 0
    for file in run.files:
        coded = [d for d in file.diagnostics if d.code]
        if not coded or file.text is None:
            continue
        text, count = suppressions.with_noqa_comments(file.text, coded)
        try:
            ast.parse(text)
            write_keeping_metadata(file.filename, text.encode(file.encoding))
        except (SyntaxError, ValueError, UnicodeEncodeError, OSError) as error:
            click.echo(f"warning: {file.filename}: no noqa added ({type(error).__name__}: {error})", err=True)
            continue
        added += count
    note(f"Added {added} noqa directive{'' if added == 1 else 's'}.")


def _fingerprinted(diagnostics: list[Diagnostic], run: RunResult, root: Path) -> dict[Diagnostic, Entry]:
    from cachelint import baseline

    return baseline.entries(diagnostics, run.sources, root)


def _write_baseline(path: Path, entries: dict, note) -> None:
    from cachelint import baseline
    recorded = [entry for diagnostic, entry in entries.items() if diagnostic.code]
    try:
        baseline.write(path, recorded)
    except OSError as error:
        click.echo(f"error: {path}: cannot write the baseline: {error.strerror or error}", err=True)
        sys.exit(EXIT_ERROR)
    note(f"Recorded {len(recorded)} finding{'' if len(recorded) == 1 else 's'} in {path}")


def _against_baseline(path: Path, entries: dict, run: RunResult, root: Path):
    """The findings the baseline does not hold (problems such as syntax errors are never
    held), and its entries for the files linted that match nothing any more."""
    from cachelint import baseline
    try:
        recorded = baseline.read(path)
    except baseline.BaselineError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    linted = {baseline.relative_path(file.filename, root) for file in run.files}
    coded = {diagnostic: entry for diagnostic, entry in entries.items() if diagnostic.code}
    comparison = baseline.compare(recorded, coded, linted)
    new = sorted([*comparison.new, *(d for d in entries if not d.code)], key=Diagnostic.sort_key)
    return new, comparison.stale


def _report_stale(stale: list, path: Path | None, note) -> None:
    if not stale:
        return
    listed = "".join(f"\n  {entry.describe()}" for entry in stale)
    note(f"{len(stale)} entr{'y' if len(stale) == 1 else 'ies'} of {path} match no finding any more "
         f"(fixed or changed); `--write-baseline {path}` drops them:{listed}")


def _reads_stdin(paths: tuple[Path, ...], stdin_filename: Path | None) -> bool:
    """`-` alone, or `--stdin-filename` (which, as in Ruff, makes other paths ignored)."""
    if Path("-") in paths and len(paths) > 1:
        raise click.UsageError("`-` (standard input) cannot be combined with other paths")
    if stdin_filename is not None and paths and paths != (Path("-"),):
        click.echo(f"warning: ignoring {', '.join(map(str, paths))} in favour of standard input", err=True)
    return stdin_filename is not None or paths == (Path("-"),)


def _errors(count: int) -> str:
    return f"{count} error{'' if count == 1 else 's'}"


def _exit(run: RunResult, failed: bool) -> NoReturn:
    for error in run.internal_errors:
        click.echo(f"error: {error}", err=True)
    sys.exit(EXIT_ERROR if run.internal_errors else EXIT_FINDINGS if failed else EXIT_CLEAN)


def _statistics(diagnostics, output_format: str, unsafe_fixes: bool) -> str:
    import json
    from collections import Counter

    from cachelint import fix as fixes
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = {(d.code, d.name) for d in diagnostics if fixes.is_applicable(d, unsafe_fixes)}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0] or ""))
    if output_format in ("json", "json-lines"):
        return json.dumps(
            [{"code": code, "name": name, "count": count, "fixable": (code, name) in fixable}
             for (code, name), count in rows],
            indent=2,
        ) + "\n"
    width = max((len(str(count)) for count in counts.values()), default=1)
    return "".join(
        f"{count:>{width}}\t{code or '':<5}\t{'[*] ' if (code, name) in fixable else ''}{name}\n"
        for (code, name), count in rows
    )


@main.command()
@click.argument("rule", required=False)
@click.option("--all", "show_all", is_flag=True, help="Explain every rule.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rule(rule: str | None, show_all: bool, output_format: str) -> None:
    """Explain a rule, by code (CL002) or name (set-without-ttl)."""
    import json

    from cachelint import rules
    if show_all == (rule is not None):
        raise click.UsageError("give either a rule code or name, or --all")
    found = None if rule is None else rules.rule_for(rule)
    if not show_all and found is None:
        raise click.BadParameter(f"unknown rule `{rule}`", param_hint="RULE")
    chosen = rules.ALL_RULES if found is None else [found]
    if output_format == "json":
        payload = [_rule_json(r) for r in chosen]
        click.echo(json.dumps(payload if show_all else payload[0], indent=2))
        return
    click.echo("\n\n".join(f"# {r.name} ({r.code})\n\n{r.documentation()}" for r in chosen))


def _rule_json(rule) -> dict:
    return {
        "code": rule.code,
        "name": rule.name,
        "summary": rule.summary,
        "fix": rule.fix_availability,
        "explanation": rule.documentation(),
    }


@main.command()
@click.option("--cache-dir", type=click.Path(path_type=Path), envvar="CACHELINT_CACHE_DIR", help=_CACHE_DIR_HELP)
def clean(cache_dir: Path | None) -> None:
    """Remove the result cache that `check` run from here uses."""
    from cachelint import cache
    from cachelint.config import find_config
    if cache_dir is None:
        config = find_config(Path.cwd())
        cache_dir = (config.parent if config else Path.cwd()) / cache.DIRECTORY_NAME
    if cache.clean(cache_dir):
        click.echo(f"Removed the cache in {cache_dir}", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--output-format", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="A pyproject.toml or TOML file to read settings from.")
def keys(paths, output_format, config_path) -> None:
    """List the cached namespaces of every DB entity in PATHS: key shape, where each is
    filled and with what TTL, where invalidated, which writes leave it stale."""
    import json

    from cachelint import engine, parallel
    from cachelint.config import Overrides
    from cachelint.project import inventory
    from cachelint.project.model import ProjectModel
    from cachelint.rules.missing_invalidation import MissingInvalidation

    paths = list(paths) or [Path(".")]
    with _configuration_errors():
        settings = _settings(paths, config_path, Overrides())
    run = engine.lint_paths(paths, settings, parallel.default_jobs())
    project = ProjectModel([file.facts for file in run.files if file.facts is not None])
    entries = inventory.inventory(project, MissingInvalidation.stale_writes(project))
    click.echo(json.dumps(entries, indent=2) if output_format == "json" else inventory.render_table(entries))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--unresolved", is_flag=True, help="List the calls that look like cache use and were not understood.")
@click.option("--output-format", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="A pyproject.toml or TOML file to read settings from.")
def ops(paths, unresolved, output_format, config_path) -> None:
    """List every cache operation and cache decorator the model understood in PATHS (kind,
    library, method, key shape, TTL meaning, the project wrappers it goes through); with
    --unresolved, the calls that look like cache use and were not understood."""
    import json

    from cachelint import engine, parallel
    from cachelint.config import Overrides
    from cachelint.project import ops as cache_ops

    paths = list(paths) or [Path(".")]
    with _configuration_errors():
        settings = _settings(paths, config_path, Overrides())
    # Every file is parsed: a call the prefilter would skip may be one not understood.
    run = engine.lint_paths(paths, settings, parallel.default_jobs(), prefilter=False)
    files = [(file.filename, file.facts) for file in run.files if file.facts is not None]
    used, missed = cache_ops.understood(files), cache_ops.unresolved([(file.filename, file.unresolved) for file in run.files])
    if output_format == "json":
        click.echo(json.dumps(missed if unresolved else used, indent=2))
    elif unresolved:
        click.echo(cache_ops.render_unresolved(missed, len(used)))
    else:
        click.echo(cache_ops.render_understood(used, len(missed["calls"])))
    _say_what_was_not_read(run)


def _say_what_was_not_read(run: RunResult) -> None:
    """On standard error, the files `ops` could not read (their cache use is in neither list,
    so the share understood leaves them out) and any internal error, which, as in `check`,
    makes the exit status 2."""
    unread = [d for f in run.files for d in f.diagnostics if d.code is None]
    for problem in unread:
        click.echo(f"warning: not read: {problem.filename}:{problem.location.row}:{problem.location.column}: "
                   f"{problem.name}: {problem.message}", err=True)
    if unread:
        click.echo(f"warning: {len(unread)} file{'' if len(unread) == 1 else 's'} not read; "
                   "their calls are counted neither as understood nor as not understood", err=True)
    for error in run.internal_errors:
        click.echo(f"error: {error}", err=True)
    if run.internal_errors:
        sys.exit(EXIT_ERROR)


@main.command()
def server() -> None:
    """Run the language server for editors: LSP over standard input and output."""
    from cachelint.server import serve  # pygls and the linter are imported only here

    sys.exit(serve())
