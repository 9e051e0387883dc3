"""The `strict` options of CL002 and CL005: what they add, and how they are validated."""
from __future__ import annotations

import pytest

from cachelint.config import ConfigError, Settings, load_settings
from tests.conftest import lint


def _rows(source: str, code: str, strict: bool, rule: str) -> list[int]:
    settings = Settings()
    settings.rule_options = {rule: {"strict": True}} if strict else {}
    return [d.location.row for d in lint(source, select=(code,), settings=settings)]


INPUT_AFTER_NAMESPACE = """
    from flask import Flask, jsonify, request
    from redis import Redis

    app = Flask(__name__)
    r = Redis()

    @app.get("/results")
    def results():
        segment = request.args.get("segment", "all")
        return jsonify(r.get(f"results:{segment}"))
"""


def test_cl005_strict_reports_input_after_a_namespace_on_redis():
    assert _rows(INPUT_AFTER_NAMESPACE, "CL005", strict=False, rule="unsanitized-input-in-key") == []
    assert _rows(INPUT_AFTER_NAMESPACE, "CL005", strict=True, rule="unsanitized-input-in-key") == [11]


def test_strict_must_be_a_boolean(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.cachelint.rules.unsanitized-input-in-key]\nstrict = "yes"\n')
    with pytest.raises(ConfigError, match=r"strict.*expected"):
        load_settings(path)


INVALIDATED_ON_WRITE = """
    from django.core.cache import cache

    from .models import Article

    def archive(year):
        months = cache.get(f"archive:{year}")
        if months is None:
            months = list(Article.objects.filter(published_at__year=year).dates("published_at", "month"))
            cache.set(f"archive:{year}", months, timeout=None)
        return months

    def publish(article):
        article.save()
        cache.delete(f"archive:{article.published_at.year}")
"""


def test_cl002_strict_reports_entries_the_module_invalidates():
    assert _rows(INVALIDATED_ON_WRITE, "CL002", strict=False, rule="set-without-ttl") == []
    assert _rows(INVALIDATED_ON_WRITE, "CL002", strict=True, rule="set-without-ttl") == [10]


def test_cl002_strict_is_validated_by_rule_code(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.cachelint.rules.CL002]\nstrict = 1\n")
    with pytest.raises(ConfigError, match=r"strict.*expected"):
        load_settings(path)
    path.write_text("[tool.cachelint.rules.CL002]\nstrict = true\n")
    assert load_settings(path).rule_options == {"set-without-ttl": {"strict": True}}


EVICTED_DICT_CACHE = """
    _CONFIG_CACHE = {}

    def site_config(site_id):
        config = SiteConfig.objects.get(site_id=site_id)
        _CONFIG_CACHE[site_id] = config
        return config

    def clear():
        _CONFIG_CACHE.clear()
"""


def test_cl002_strict_reports_a_dict_cache_the_module_clears():
    assert _rows(EVICTED_DICT_CACHE, "CL002", strict=False, rule="set-without-ttl") == []
    assert _rows(EVICTED_DICT_CACHE, "CL002", strict=True, rule="set-without-ttl") == [6]
