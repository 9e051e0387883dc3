"""CL900 unused-suppression, run: a suppression left behind hides the next real finding.

A `# noqa: CL002` written for a write without a TTL stays after the TTL is added; when
the line is later changed into another write without a TTL, that new bug is silently
suppressed. With CL900's fix applied the comment is gone, and the new bug is reported.
The rest pins what CL900 may judge: only rules that ran on the file, never another
tool's codes or a bare `# noqa`, a project rule only where the project was judged."""
from __future__ import annotations

import textwrap
from pathlib import Path

from cachelint.config import Settings
from cachelint.engine import lint_paths, lint_source, lint_text
from cachelint.fix import apply_fixes

HEAD = "import redis\n\nr = redis.Redis()\n\n\n"
STALE = HEAD + 'def remember(uid, profile):\n    r.set(f"profile:{uid}", profile, ex=300)  # noqa: CL002\n'
LATER = 'r.set(f"profile:{uid}", profile, ex=300)', 'r.set(f"avatar:{uid}", profile)'


def _codes(text: str, select=("ALL",), **settings) -> list[tuple[int, str | None]]:
    run = lint_text("app.py", textwrap.dedent(text).encode(), Settings(select=select, **settings))
    assert not run.internal_errors, run.internal_errors
    return [(d.location.row, d.code) for d in run.diagnostics]


def test_bad_a_stale_suppression_hides_the_next_bug():
    edited = STALE.replace(*LATER)
    assert _codes(edited) == []  # the new write without a TTL: not reported


def test_fixed_the_fix_removes_it_and_the_next_bug_is_reported():
    [result] = lint_text("app.py", STALE.encode(), Settings(select=("ALL",))).files
    assert [(d.code, d.fix.applicability) for d in result.diagnostics] == [("CL900", "safe")]
    fixed, _ = apply_fixes(STALE, result.diagnostics)
    assert fixed == STALE.replace("  # noqa: CL002", "")
    assert _codes(fixed.replace(*LATER)) == [(7, "CL002")]


def test_off_by_default_as_rules_of_the_cl9xx_range():
    assert _codes(STALE, select=Settings().select) == []
    assert _codes(STALE, select=Settings().select, extend_select=("CL900",)) == [(7, "CL900")]


def test_fixes_keep_what_is_used_and_what_is_not_cachelints():
    cases = {
        'r.set(f"a:{uid}", profile)  # noqa: CL002, CL007, E501': 'r.set(f"a:{uid}", profile)  # noqa: CL002, E501',
        "r.set(k, v, ex=1)  # noqa: CL002  # type: ignore": "r.set(k, v, ex=1)  # type: ignore",
        "r.set(k, v, ex=1)  # cachelint: ignore": "r.set(k, v, ex=1)",
        "# cachelint: ignore[set-without-ttl]\nr.set(k, v, ex=1)": "r.set(k, v, ex=1)",
    }
    for before, after in cases.items():
        source = f"{HEAD}def remember(uid, profile):\n" + textwrap.indent(before, "    ") + "\n"
        [result] = lint_text("app.py", source.encode(), Settings(select=("ALL",))).files
        fixed, _ = apply_fixes(source, result.diagnostics)
        assert fixed == f"{HEAD}def remember(uid, profile):\n" + textwrap.indent(after, "    ") + "\n", before


def test_another_tools_codes_and_a_bare_noqa_are_not_judged():
    source = HEAD + "def f(k, v):\n    r.set(k, v, ex=1)  # noqa: E501, W291\n    r.set(k, v, ex=1)  # noqa\n"
    assert _codes(source) == []


def test_a_code_cachelint_does_not_have_is_unknown_and_suppresses_nothing():
    # CL020 is a typo of CL002: the write without a TTL is reported, and so is the typo.
    typo = HEAD + "def f(uid, v):\n    r.set(f\"avatar:{uid}\", v)  # noqa: CL020\n"
    [result] = lint_text("app.py", typo.encode(), Settings(select=("ALL",))).files
    assert [(d.location.row, d.code) for d in result.diagnostics] == [(7, "CL002"), (7, "CL900")]
    [unknown] = [d for d in result.diagnostics if d.code == "CL900"]
    assert unknown.message == "Unused suppression `# noqa: CL020`: cachelint has no rule `CL020`"
    # Beside a used code, only the unknown one goes; a name no rule has inside cachelint's
    # own directive is unknown too; another tool's code in a noqa is still not judged.
    both = HEAD + "def f(uid, v):\n    r.set(f\"avatar:{uid}\", v)  # noqa: CL002, CL999, E501\n"
    [result] = lint_text("app.py", both.encode(), Settings(select=("ALL",))).files
    [unknown] = [d for d in result.diagnostics if d.code == "CL900"]
    assert unknown.message == "Unused codes in `# noqa: CL002, CL999, E501`: cachelint has no rule `CL999`"
    assert apply_fixes(both, result.diagnostics)[0] == both.replace("CL002, CL999, E501", "CL002, E501")
    named = HEAD + "def f(k, v):\n    # cachelint: ignore[set-without-tll]\n    r.set(k, v, ex=1)\n"
    assert _codes(named) == [(7, "CL900")]
    assert _codes(HEAD + "def f(k, v):\n    r.set(k, v, ex=1)  # noqa: CLS001\n") == []


def test_codes_of_rules_that_did_not_run_are_not_judged():
    # CL007 not selected: its suppression may be used once it is.
    source = HEAD + "def f(k, v):\n    r.set(k, v, ex=1)  # noqa: CL007\n    r.set(k, v, ex=1)  # noqa: CL0\n"
    assert _codes(source, select=("CL002", "CL900")) == []
    assert _codes(source, select=("ALL",)) == [(7, "CL900"), (8, "CL900")]


def test_a_file_that_could_not_be_checked_is_not_judged():
    assert _codes(HEAD + "def f(:\n    r.set(k, v, ex=1)  # noqa: CL002\n") == [(6, None)]


def test_its_own_finding_is_suppressed_only_by_naming_it():
    assert _codes(HEAD + "r.set('k', 1, ex=1)  # noqa: CL002, CL900\n") == []
    assert _codes(HEAD + "r.set('k', 1, ex=1)  # cachelint: ignore\n") == [(6, "CL900")]


SHOP_CATALOG = """\
from django.core.cache import cache
from .models import Product

def detail(pk):
    product = cache.get(f"product:{pk}")
    if product is None:
        product = Product.objects.filter(pk=pk).values("id", "price").first()
        cache.set(f"product:{pk}", product, 300)
    return product
"""
SHOP_ADMIN = """\
from .models import Product

def set_price(pk, price):
    Product.objects.filter(pk=pk).update(price=price)  # noqa: CL010
    return price  # noqa: CL010
"""


def test_a_project_rules_suppression_is_judged_with_the_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "__init__.py").write_text("")
    (shop / "catalog.py").write_text(SHOP_CATALOG)
    (shop / "admin.py").write_text(SHOP_ADMIN)
    found = [(Path(d.filename).name, d.location.row, d.code)
             for d in lint_paths([shop], Settings(select=("ALL",))).diagnostics]
    assert found == [("admin.py", 5, "CL900")]  # the write's CL010 is used, the other is not
    # The language server lints one document without the project stage: CL010 is not judged.
    alone = lint_source("shop/admin.py", SHOP_ADMIN.encode(), Settings(select=("ALL",)), facts=False)
    assert alone.diagnostics == []


def test_warm_runs_and_the_prefilter_give_the_same_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(STALE)
    (tmp_path / "plain.py").write_text("x = 1  # noqa: CL002\ny = 2  # noqa: CL002\n")  # the prefilter skips it
    settings = Settings(select=("ALL",))

    def report(**options):
        return sorted((Path(d.filename).name, d.location.row, d.code) for d in lint_paths([tmp_path], settings, **options).diagnostics)

    expected = [("app.py", 7, "CL900"), ("plain.py", 1, "CL900"), ("plain.py", 2, "CL900")]
    assert report(prefilter=False) == expected
    assert report(cache_dir=tmp_path / ".cache") == expected
    assert report(cache_dir=tmp_path / ".cache") == expected  # warm
