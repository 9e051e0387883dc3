"""`# noqa`, `# cachelint: ignore[...]` and file-level `# cachelint: noqa`, end to end."""
from __future__ import annotations

import pytest

from cachelint import suppressions
from tests import fakes
from tests.fakes import REDIS


@pytest.fixture(autouse=True)
def catalog(monkeypatch):
    fakes.install(monkeypatch)


def codes(source: str) -> list[tuple[int, str]]:
    diagnostics, errors = fakes.lint(source)
    assert not errors
    return [(d.location.row, d.code) for d in diagnostics]


SET = 'r.set("k", 1)'
KEYS = 'r.keys("a:*")'


def test_unsuppressed_findings_are_reported():
    assert codes(f"{REDIS}{SET}\n{KEYS}\n") == [(3, "CL002"), (4, "CL007")]


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa",
        "# NOQA",
        "#noqa",
        "# noqa: CL002",
        "# noqa:CL002",
        "# noqa: cl002",
        "# noqa: CL007, CL002",
        "# noqa: CL007,CL002",
        "# noqa: CL007 CL002",
        "# noqa: CL00",
        "# noqa: set-without-ttl",
        "# noqa: CL002 the TTL is set by a background job",
        "# noqa: CL002 -- see below",
        "# keep it # noqa: CL002",
        "# cachelint: ignore",
        "# cachelint: ignore[set-without-ttl]",
        "# cachelint: ignore[CL002]",
        "# cachelint: ignore[CL007, set-without-ttl]",
        "# cachelint:ignore[CL002]",
        "# cachelint: ignore[CL013]  # noqa: CL002",
    ],
)
def test_a_trailing_comment_suppresses(comment):
    assert codes(f"{REDIS}{SET}  {comment}\n") == []


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa: CL007",
        "# noqa: CL01",
        "# noqa: keys-pattern-scan",
        "# noqa:",
        "# noqa: ",
        "# noqa: C",  # not a prefix of any code: `C` is not the `CL` linter
        "# noqa-ish",
        "# not a noqa",
        "# cachelint: ignore[]",
        "# cachelint: ignore[CL007]",
        "# cachelint: ignored",
        "# cachelint: noqa",  # file level only when alone on its line
    ],
)
def test_a_comment_that_does_not_name_the_rule_does_not_suppress(comment):
    assert codes(f"{REDIS}{SET}  {comment}\n") == [(3, "CL002")]


def test_a_comment_suppresses_only_the_rules_it_names():
    assert codes(f"{REDIS}r.set('k', r.keys('a:*'))  # noqa: CL007\n") == [(3, "CL002")]


@pytest.mark.parametrize("comment", ["# noqa: CL002", "# cachelint: ignore[set-without-ttl]", "    # noqa"])
def test_a_comment_alone_on_the_line_above_suppresses(comment):
    assert codes(f"{REDIS}{comment}\n{SET}\n{SET}\n") == [(5, "CL002")]


def test_a_trailing_comment_on_the_line_above_belongs_to_its_own_statement():
    assert codes(f"{REDIS}x = 1  # noqa: CL002\n{SET}\n") == [(4, "CL002")]


def test_a_comment_two_lines_above_does_not_suppress():
    assert codes(f"{REDIS}# noqa: CL002\n\n{SET}\n") == [(5, "CL002")]


@pytest.mark.parametrize("row", [0, 1, 2, 3])
def test_a_comment_on_any_line_of_a_multiline_statement_suppresses(row):
    lines = ["r.set(", '    "k",', "    1,", ")"]
    lines[row] += "  # noqa: CL002"
    assert codes(REDIS + "\n".join(lines) + "\n") == []


def test_a_comment_above_a_multiline_statement_suppresses():
    assert codes(f'{REDIS}# cachelint: ignore[CL002]\nr.set(\n    "k",\n    1,\n)\n') == []


def test_a_comment_on_a_compound_header_does_not_cover_the_body():
    source = f'{REDIS}for k in r.keys("a:*"):  # noqa\n    r.set(k, 1)\n'
    assert codes(source) == [(4, "CL002")]


def test_a_noqa_inside_a_string_is_not_a_comment():
    assert codes(f'{REDIS}r.set("k  # noqa", 1)\n') == [(3, "CL002")]
    assert codes(f'{REDIS}x = """\n# noqa\n"""\n{SET}\n') == [(6, "CL002")]


def test_file_level_noqa_skips_the_whole_file():
    assert codes(f"{REDIS}{SET}\n# cachelint: noqa\n{KEYS}\n") == []
    assert codes(f"# CACHELINT: NOQA\n{REDIS}{SET}\n") == []


def test_file_level_noqa_with_codes_skips_those_rules():
    assert codes(f"# cachelint: noqa: CL007\n{REDIS}{SET}\n{KEYS}\n") == [(4, "CL002")]
    assert codes(f"# cachelint: noqa: keys-pattern-scan, CL002\n{REDIS}{SET}\n{KEYS}\n") == []


def test_a_file_level_noqa_skips_parsing_too():
    diagnostics, _ = fakes.lint(f"# cachelint: noqa\n{REDIS}r.set(\n")
    assert diagnostics == []


def test_suppressions_survive_source_the_tokenizer_gives_up_on():
    # Python 3.12 f-strings re-use the quote; LibCST parses them, 3.11's tokenizer does not.
    source = f'{REDIS}{SET}  # noqa: CL002\nr.set(f"{{"a"}}", 1)\n'
    assert codes(source) in ([], [(4, "CL002")])
    found = suppressions.comments('x = 1  # noqa: CL002\ny = f"{"a"}"\n')
    assert found[1].selectors == ("CL002",)


def test_comments_are_found_with_their_rows_and_whether_they_stand_alone():
    found = suppressions.comments("# noqa: CL002\nx = 1  # cachelint: ignore\ny = 2  # just a comment\n")
    assert [(row, comment.row, comment.alone, comment.selectors) for row, comment in found.items()] == [
        (1, 1, True, ("CL002",)),
        (2, 2, False, suppressions.EVERY_RULE),
    ]
    assert [(d.start, d.end, d.kind) for d in found[2].directives] == [(7, 26, "ignore")]


def test_file_level_lists_what_it_suppresses():
    assert suppressions.file_level("x = 1\n") == ()
    assert suppressions.file_level("# cachelint: noqa\n") == suppressions.EVERY_RULE
    assert suppressions.file_level("# cachelint: noqa: CL002,CL007\n") == ("CL002", "CL007")
    assert suppressions.file_level("x = 1  # cachelint: noqa\n") == ()
    assert suppressions.file_level("# cachelint: noqa:\n") == ()


def test_suppressions_work_with_crlf_line_endings():
    source = f"{REDIS}{SET}  # noqa: CL002\n{KEYS}\n# cachelint: ignore[CL002]\n{SET}\n".replace("\n", "\r\n")
    assert codes(source) == [(4, "CL007")]
    assert codes(f"# cachelint: noqa\r\n{REDIS}{SET}\r\n") == []
