"""CL900 unused-suppression: a `# noqa: CLxxx` or `# cachelint: ignore[…]` that suppresses nothing."""
from __future__ import annotations

import re
from collections.abc import Iterator

from cachelint.rules.base import CommentFinding, CommentRule, RuleContext, Suppression

CODE = "CL900"


class UnusedSuppression(CommentRule):
    """
    ## What it does
    Flags a suppression comment, or the codes in it, that suppressed no finding: a
    `# noqa: CL002` on a line where CL002 finds nothing, a `# cachelint: ignore[CL007]`
    above a statement that no longer scans keys. It is cachelint's counterpart of Ruff's
    RUF100, and like it is off by default: select it (`extend-select = ["CL900"]`, or
    `--extend-select CL900`; `select = ["ALL"]` includes it).

    Only what cachelint can judge is reported:
    - codes of other tools (`# noqa: E501`) and a bare `# noqa`, which other linters read
      too, are left alone; a bare `# cachelint: ignore` is judged;
    - a code is judged only when its rule ran on the file: not when the rule is not
      selected for it, nor when the file could not be checked (a syntax error, a rule
      that failed); CL010, a project rule, is judged only where the run judges the
      project (not by the language server as you type);
    - file-level `# cachelint: noqa` comments are not judged, as Ruff leaves
      `# ruff: noqa` alone.

    A code that names no rule of cachelint (`# noqa: CL999`, a code of cachelint's own
    `CL` + digits spelling, or anything inside `# cachelint: ignore[…]`) is reported as
    unknown, as RUF100 reports unknown codes: a typo there suppresses nothing.

    ## Why is this bad?
    A suppression outlives the finding it was written for: the code is fixed or moved,
    and the comment stays, silently hiding the next real finding on that line.

    The fix is safe: it removes the unused codes, or the whole directive when none is
    left (the whole line, when the comment stood alone on it).

    ## Example
    ```python
    import redis

    r = redis.Redis()

    def remember(uid, profile):
        r.set(f"profile:{uid}", profile, ex=300)  # noqa: CL002
    ```

    ## Use instead
    ```python
    import redis

    r = redis.Redis()

    def remember(uid, profile):
        r.set(f"profile:{uid}", profile, ex=300)
    ```
    """

    code = CODE
    name = "unused-suppression"
    summary = "A suppression comment that suppresses nothing (off by default)"
    fix_availability = "always"

    VALID = [
        # The suppression is used.
        """
        import redis

        r = redis.Redis()

        def remember(uid, profile):
            r.set(f"profile:{uid}", profile)  # noqa: CL002
        """,
        # Another tool's code, and a bare `# noqa`, are not cachelint's to judge.
        """
        import redis

        r = redis.Redis()

        def remember(uid, profile):
            r.set(f"profile:{uid}", profile, ex=300)  # noqa: E501
            r.set(f"card:{uid}", profile, ex=300)  # noqa
        """,
    ]
    INVALID = [
        """
        import redis

        r = redis.Redis()

        def remember(uid, profile):
            r.set(f"profile:{uid}", profile, ex=300)  # noqa: CL002  # expect: CL900
        """,
        # A code cachelint does not have: a typo of the CL002 meant.
        """
        import redis

        r = redis.Redis()

        def remember(uid, profile):
            r.set(f"profile:{uid}", profile)  # noqa: CL020  # expect: CL900
        """,
        """
        import redis

        r = redis.Redis()

        def remember(uid, profile):
            # cachelint: ignore[CL002]  # expect: CL900
            r.set(f"profile:{uid}", profile, ex=300)
        """,
    ]

    def check(self, suppressions: list[Suppression], ran: frozenset[str],
              context: RuleContext) -> Iterator[CommentFinding]:
        for directive in suppressions:
            unused: list[str] = []
            unknown: list[str] = []
            for selector, named in zip(directive.selectors, directive.named):
                if _unknown(directive, selector, named):
                    unknown.append(selector)
                elif _judged(directive, named, ran) and selector not in directive.used:
                    unused.append(selector)
            if unknown or unused:
                yield _finding(directive, tuple(unused), tuple(unknown))


def _judged(directive: Suppression, named: frozenset[str], ran: frozenset[str]) -> bool:
    """Whether a selector is cachelint's, and every rule it names ran (this rule aside)."""
    if directive.kind == "noqa" and directive.selectors == ("ALL",):
        return False  # a bare noqa comment is every linter's
    named = named - {CODE}
    return bool(named) and named <= ran


_OWN_SPELLING = re.compile(r"CL[0-9]+")


def _unknown(directive: Suppression, selector: str, named: frozenset[str]) -> bool:
    """Whether a selector is cachelint's and names no rule of it: in a `# noqa`, which
    other tools read too, only a code spelled as cachelint spells its own counts."""
    if named or selector == "ALL":
        return False
    return directive.kind == "ignore" or _OWN_SPELLING.fullmatch(selector) is not None


def _finding(directive: Suppression, unused: tuple[str, ...], unknown: tuple[str, ...]) -> CommentFinding:
    dropped = unused + unknown
    kept = tuple(selector for selector in directive.selectors if selector not in dropped)
    written = directive.line[directive.start:directive.end]
    if kept:
        replacement: tuple[int, int | None, str] = (directive.start, directive.end, directive.text(kept))
    elif directive.line[:directive.start].strip():  # after code: the directive and the blanks before it go
        before = directive.line[:directive.start].rstrip()
        replacement = (len(before), directive.end, "")
    elif directive.line[directive.end:].strip():  # another comment follows it
        rest = directive.line[directive.end:]
        replacement = (directive.start, directive.end + len(rest) - len(rest.lstrip()), "")
    else:  # the comment stood alone: its line goes
        replacement = (0, None, "")
    reasons = []
    if unused:
        reasons.append(f"nothing here for {_listed(unused)} to suppress")
    if unknown:
        reasons.append(f"cachelint has no rule {_listed(unknown)}")
    if kept:
        message = f"Unused codes in `{written}`: {'; '.join(reasons)}"
    elif directive.selectors == ("ALL",):
        message = f"Unused suppression `{written}`: nothing here to suppress"
    else:
        message = f"Unused suppression `{written}`: {'; '.join(reasons)}"
    return CommentFinding(directive.row, directive.start, directive.end, message, replacement)


def _listed(selectors: tuple[str, ...]) -> str:
    return ", ".join(f"`{selector}`" for selector in selectors)
