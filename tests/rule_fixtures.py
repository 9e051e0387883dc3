"""The fixtures under fixtures/: one for each rule, named `<CODE>_<rule_name>.py`, or a folder
of that name (linted as one project) for a project-wide rule such as CL010. Lines a rule
must report carry an `# expect: CODE[, CODE…]` comment (the public evaluation corpus's
convention); every other line must stay clean of the fixture's own rule."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cachelint import rules
from cachelint.rules.base import BaseRule, CommentRule

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
_NAME = re.compile(r"(?P<code>[A-Z]+[0-9]+)_(?P<name>[a-z0-9_]+)")
_EXPECT = re.compile(r"#\s*expect:\s*(.+)$")


@dataclass(frozen=True)
class Fixture:
    path: Path  # a file, or a folder linted as one project
    code: str
    name: str  # the rule name, with hyphens

    @property
    def rule(self) -> type[BaseRule] | None:
        """The registered rule the fixture is for (None when no rule has its code and name)."""
        rule = rules.BY_CODE.get(self.code)
        return rule if rule is not None and rule.name == self.name else None

    def files(self) -> list[Path]:
        return sorted(self.path.rglob("*.py")) if self.path.is_dir() else [self.path]

    def labels(self) -> list[tuple[str, int, str]]:
        """(file relative to the fixture's folder, row, code) of every `# expect:` label."""
        found = []
        for file in self.files():
            for row, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
                match = _EXPECT.search(line)
                if match:
                    found += [(self.relative(file), row, code.strip()) for code in match.group(1).split(",")]
        return sorted(found)

    def relative(self, file: Path | str) -> str:
        return Path(file).resolve().relative_to(self.path.parent.resolve()).as_posix()


def fixtures(folder: Path = FIXTURES) -> list[Fixture]:
    found = []
    for path in sorted(folder.iterdir()):
        match = _NAME.fullmatch(path.stem if path.suffix == ".py" else path.name)
        if match and (path.suffix == ".py" or path.is_dir()):
            found.append(Fixture(path, match["code"], match["name"].replace("_", "-")))
    return found


def alone(rule: type[BaseRule]) -> tuple[str, ...]:
    """The selection that lints with this rule alone, as far as it can be: a comment rule
    judges what the other rules find, so they run too (and only its findings count)."""
    return ("ALL",) if issubclass(rule, CommentRule) else (rule.code,)
