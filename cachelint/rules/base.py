"""What a rule is: a code, a name, a docstring, examples, options, and a check.

Three kinds of rule share that description (`BaseRule`) and differ in what they check:
a `Rule` checks one module's `ModuleModel` and reports `Finding`s at its nodes; a
`ProjectRule` checks the `ProjectModel` once per run and reports `ProjectFinding`s at
places in any file; a `CommentRule` checks a file's suppression comments against what the
other rules found and reports `CommentFinding`s. The engine runs each kind in its own
pass (cachelint.engine).
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # a project rule's module imports without LibCST and the model
    import libcst as cst

    from cachelint.model import ModuleModel
    from cachelint.project.facts import OnBackend
    from cachelint.project.model import ProjectModel

# Where the rule's page lives in the source tree (the project has no published site yet).
DOCS_PATH = "rules/{name}.md"


@dataclass(frozen=True)
class Replacement:
    """Replace the source of `node` (through the end of `through`, a later node) with `code`."""

    node: cst.CSTNode
    code: str
    through: cst.CSTNode | None = None


@dataclass(frozen=True)
class FixSuggestion:
    message: str
    replacements: tuple[Replacement, ...]
    applicability: str = "unsafe"


@dataclass(frozen=True)
class Finding:
    """What a rule reports: the node it points at, the statement that node belongs to."""

    node: cst.CSTNode
    statement: cst.CSTNode
    message: str
    fix: FixSuggestion | None = None
    # A finding that holds only where the project's settings may put the cache on a store
    # (cachelint.project.backends): the project stage settles it.
    on_backend: OnBackend | None = None


@dataclass(frozen=True)
class ProjectFinding:
    """What a project rule reports: a place in a file, as the project's facts name it."""

    path: str  # as the facts name the file (cachelint.project.facts)
    start: tuple[int, int]  # row, column
    end: tuple[int, int]
    statement_rows: tuple[int, int]
    message: str


class OptionError(ValueError):
    """A setting of the right type that is still wrong; `path` names the entry at fault
    inside the option, if any (`"money"` for `extend-terms = {money = [...]}`)."""

    def __init__(self, problem: str, *path: str) -> None:
        super().__init__(problem)
        self.path = path


@dataclass(frozen=True)
class Option:
    """A per-rule setting under `[tool.cachelint.rules.<rule-name>]`."""

    type: type | tuple[type, ...]
    default: Any
    description: str
    # Checks a setting of the right type further; raises OptionError saying what is wrong.
    validate: Callable[[Any], None] | None = None


@dataclass
class RuleContext:
    """What a rule's check may read besides the model: its own options."""

    options: dict[str, Any] = field(default_factory=dict)


class BaseRule:
    """What every rule has, whatever it checks: subclass `Rule` or `ProjectRule`, which
    set the class attributes and implement `check`.

    The docstring follows Ruff's layout: `## What it does`, `## Why is this bad?`,
    `## Example`, `## Use instead`. `INVALID` examples mark each line that must be
    reported with a trailing `# expect: CODE` comment; `VALID` examples must be clean.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    fix_availability: ClassVar[str] = "none"  # "none", "sometimes" or "always"
    options: ClassVar[dict[str, Option]] = {}
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[str]] = []

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def docs_path(cls) -> str:
        return DOCS_PATH.format(name=cls.name)

    @classmethod
    def default_options(cls) -> dict[str, Any]:
        return {name: option.default for name, option in cls.options.items()}


class Rule(BaseRule):
    """A rule that judges one module at a time: its `check` runs on each file's
    `ModuleModel` and reports nodes of that module."""

    def check(self, model: ModuleModel, context: RuleContext) -> Iterator[Finding]:
        raise NotImplementedError


class ProjectRule(BaseRule):
    """A rule that judges the whole project at once (cachelint.project): its `check` runs
    once per run on the `ProjectModel` merged from every file's facts, after the module
    rules, and reports places in any file."""

    def check(self, project: ProjectModel, context: RuleContext) -> Iterator[ProjectFinding]:
        raise NotImplementedError


@dataclass(frozen=True)
class Suppression:
    """A suppression directive (`# noqa: …`, `# cachelint: ignore[…]`) as a comment rule
    judges it; cachelint.suppressions finds them."""

    row: int
    start: int  # 0-based character columns of the directive on its row
    end: int
    line: str  # the row's text, without its ending
    kind: str  # "noqa" or "ignore"
    selectors: tuple[str, ...]  # as written; ("ALL",) for a bare directive
    named: tuple[frozenset[str], ...]  # the codes of the rules each selector names
    used: frozenset[str]  # the selectors that suppressed a finding of a rule that ran

    def text(self, selectors: tuple[str, ...]) -> str:
        """This directive naming `selectors` only, as cachelint writes it."""
        if self.kind == "noqa":
            return f"# noqa: {', '.join(selectors)}"
        return f"# cachelint: ignore[{', '.join(selectors)}]"


@dataclass(frozen=True)
class CommentFinding:
    """What a comment rule reports: a span of one row, and the text it may be replaced with
    (from `start` to `end`; `end` None: through the row's end, its newline included)."""

    row: int
    start: int  # 0-based character columns
    end: int
    message: str
    replacement: tuple[int, int | None, str] | None = None


class CommentRule(BaseRule):
    """A rule that judges a file's suppression comments against what the other rules found
    there before suppression: the engine runs it last, after the project rules, and tells it
    which rules ran on the file (it may judge only those)."""

    def check(self, suppressions: list[Suppression], ran: frozenset[str],
              context: RuleContext) -> Iterator[CommentFinding]:
        raise NotImplementedError
