"""The Flask + SQLAlchemy sample shop (Flask-Caching on Redis behind its wrapper module,
a raw redis-py client from a factory): each planted bug is reported with its code, test and
key, at the first frame of project code; the fixed shop is reported clean."""
from __future__ import annotations

import pytest

pytest.importorskip("flask_caching")
pytest.importorskip("sqlalchemy")

EXPECTED = {
    ("CL006", "shop_tests.py::test_reprice", "product:1", "caching.py"),
    ("CL010", "shop_tests.py::test_rename", "product:2", "caching.py"),
    ("CL002", "shop_tests.py::test_featured", "featured:home", "caching.py"),
    ("CL013", "shop_tests.py::test_visitors", "visitors:today", "app.py"),
}


def test_each_planted_bug_is_reported(sample):
    result, report = sample("flask_shop").observe()
    result.assert_outcomes(passed=5)
    assert {(item["code"], item["test"], item["key"], item["filename"].rsplit("/", 1)[1]) for item in report} == EXPECTED
    [visitors] = [item for item in report if item["code"] == "CL013"]
    assert "treats as an error" in visitors["message"]


def test_the_fixed_shop_is_clean(sample):
    result, report = sample("flask_shop").observe(fixed=True)
    result.assert_outcomes(passed=5)
    assert report == []
