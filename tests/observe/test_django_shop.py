"""The Django sample shop: each planted bug is reported with its code, test and key, at
the first frame of project code; the fixed shop is reported clean."""
from __future__ import annotations

import pytest

pytest.importorskip("django")

EXPECTED = {
    ("CL002", "shop_tests.py::test_product_is_cached", "product:1"),
    ("CL002", "shop_tests.py::test_rename", "product:1"),
    ("CL002", "shop_tests.py::test_product_keys", "product:1"),
    ("CL002", "shop_tests.py::test_reprice", "product:2"),
    ("CL009", "shop_tests.py::test_rename", "product:1"),
    ("CL010", "shop_tests.py::test_reprice", "product:2"),
    ("CL001", "shop_tests.py::test_stock_out", "stock:1"),
    ("CL013", "shop_tests.py::test_banner", "banner:home"),
    ("CL007", "shop_tests.py::test_product_keys", "*:product:*"),
    ("CL009", "shop_tests.py::test_discount_refused", "price:1"),
}


def test_each_planted_bug_is_reported(sample):
    result, report = sample("django_shop").observe()
    result.assert_outcomes(passed=7)
    assert {(item["code"], item["test"], item["key"]) for item in report} == EXPECTED
    by_code = {}
    for item in report:
        by_code.setdefault(item["code"], []).append(item)
    # The first frame of project code: the wrapper module, where the client is called.
    assert {item["filename"].rsplit("/", 2)[-2:][1] for item in report} == {"caching.py"}
    rolled_back = [item for item in by_code["CL009"] if "rolled back" in item["message"]]
    assert [item["key"] for item in rolled_back] == ["price:1"]
    assert all(item["url"].endswith(f"/rules/{item['name']}.md") for item in report)
    result.stdout.fnmatch_lines([
        "*cachelint: caching bugs seen while the tests ran*",
        "CL001 truthy-miss-check (1)",
        "CL002 set-without-ttl (4)",
        "*warm-hit latency per key namespace*",
        "  product: * hits, p50 * ms, p95 * ms*",
    ])


def test_the_fixed_shop_is_clean(sample):
    result, report = sample("django_shop").observe(fixed=True)
    result.assert_outcomes(passed=7)
    assert report == []
    result.stdout.fnmatch_lines(["*cachelint: caching bugs seen*", "none"])


def test_fail_option_fails_the_session_only_with_findings(sample):
    shop = sample("django_shop")
    assert shop.run("--cachelint-fail").ret == pytest.ExitCode.TESTS_FAILED
    assert shop.run("--cachelint-fail", fixed=True).ret == pytest.ExitCode.OK


def test_off_unless_asked(sample):
    result = sample("django_shop").run()
    result.assert_outcomes(passed=7)
    assert "cachelint" not in result.stdout.str()
