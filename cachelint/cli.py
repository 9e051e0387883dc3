"""The command line, spelled as Ruff spells it.

    cachelint [check] [PATHS]...     lint (the default command; PATHS default to `.`)
    cachelint rule CL002             explain a rule (code or name; --all for every rule)

Exit status: 0 clean, 1 findings, 2 usage, configuration or internal error.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from cachelint import __version__, selection
from cachelint.config import ConfigError, Settings, find_config, load_settings
from cachelint.engine import RunResult, lint_paths, lint_source
from cachelint.report import FORMATS, ReportContext, render
from cachelint.rules import ALL_RULES, rule_for

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class DefaultToCheck(click.Group):
    """`cachelint src/` means `cachelint check src/`, as with Ruff."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cachelint", message="%(prog)s %(version)s")
def main() -> None:
    """cachelint: find caching mistakes in Python code before production does."""


def _selectors(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...] | None:
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
@click.option("--select", multiple=True, callback=_selectors, help="Rules to enable: codes, prefixes, names or ALL (comma-separated).")
@click.option("--ignore", multiple=True, callback=_selectors, help="Rules to disable.")
@click.option("--extend-select", multiple=True, callback=_selectors, help="Rules to enable on top of `select`.")
@click.option("--output-format", type=click.Choice(FORMATS), default="full", show_default=True)
@click.option("--statistics", is_flag=True, help="Show counts per rule instead of each finding.")
@click.option("--exit-zero", is_flag=True, help="Exit with status 0 even when there are findings.")
@click.option("--stdin-filename", type=click.Path(path_type=Path), help="The file name to report for `-`.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="A pyproject.toml or TOML file to read settings from.")
def check(paths, select, ignore, extend_select, output_format, statistics, exit_zero, stdin_filename, config_path) -> None:
    """Lint PATHS (files or folders; `-` reads standard input)."""
    paths = list(paths) or [Path(".")]
    try:
        settings = _settings(config_path, paths, stdin_filename)
    except ConfigError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    if select is not None:
        settings.select = select
    if ignore is not None:
        settings.ignore = (*settings.ignore, *ignore)
    if extend_select is not None:
        settings.extend_select = (*settings.extend_select, *extend_select)

    run = _lint(paths, settings, stdin_filename)
    diagnostics = run.diagnostics
    if statistics:
        click.echo(_statistics(diagnostics, output_format), nl=False)
    else:
        context = ReportContext(sources=run.sources, color=sys.stdout.isatty() and output_format == "full")
        click.echo(render(output_format, diagnostics, context), nl=False)
    for error in run.internal_errors:
        click.echo(f"error: {error}", err=True)
    if run.internal_errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if diagnostics and not exit_zero else EXIT_CLEAN)


def _settings(config_path: Path | None, paths: list[Path], stdin_filename: Path | None) -> Settings:
    if config_path is not None:
        return load_settings(config_path)
    start = stdin_filename if paths == [Path("-")] and stdin_filename else paths[0]
    if str(start) == "-" or not start.exists():
        start = Path.cwd()
    return load_settings(find_config(start))


def _lint(paths: list[Path], settings: Settings, stdin_filename: Path | None) -> RunResult:
    if Path("-") not in paths:
        return lint_paths(paths, settings)
    filename = str(stdin_filename) if stdin_filename else "-"
    run = RunResult([lint_source(filename, sys.stdin.buffer.read(), settings)])
    others = [p for p in paths if p != Path("-")]
    if others:
        run.files.extend(lint_paths(others, settings).files)
    return run


def _statistics(diagnostics, output_format: str) -> str:
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = {(d.code, d.name) for d in diagnostics if d.fix is not None}
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
    if show_all == (rule is not None):
        raise click.UsageError("give either a rule code or name, or --all")
    rules = ALL_RULES if show_all else [rule_for(rule)]
    if rules == [None]:
        raise click.BadParameter(f"unknown rule `{rule}`", param_hint="RULE")
    if output_format == "json":
        payload = [_rule_json(r) for r in rules]
        click.echo(json.dumps(payload if show_all else payload[0], indent=2))
        return
    click.echo("\n\n".join(f"# {r.name} ({r.code})\n\n{r.documentation()}" for r in rules))


def _rule_json(rule) -> dict:
    return {
        "code": rule.code,
        "name": rule.name,
        "summary": rule.summary,
        "fix": rule.fix_availability,
        "explanation": rule.documentation(),
    }
