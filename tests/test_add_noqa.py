"""`--add-noqa`: a `# noqa: CODE` for every finding, after which the run is clean."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cachelint.cli import main

APP = """\
import redis

r = redis.Redis()


def remember(user_id, profile, flags):
    r.set(f"profile:{user_id}", profile)
    r.keys("profile:*")  # noqa: E501
    r.set(
        f"flags:{user_id}",
        flags,
    )
"""


def cachelint(*args: str, **kwargs):
    return CliRunner().invoke(main, ["check", "--no-cache", *args], **kwargs)


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "app.py"
    path.write_text(APP)
    return path


def test_add_noqa_then_the_run_is_clean(app):
    before = json.loads(cachelint("--output-format", "json", ".").stdout)
    assert [(d["location"]["row"], d["code"]) for d in before] == [(7, "CL002"), (8, "CL007"), (9, "CL002")]
    result = cachelint("--add-noqa", ".")
    assert result.exit_code == 0 and "Added 3 noqa directives." in result.stderr and result.stdout == ""
    assert app.read_text().splitlines()[6:12] == [
        '    r.set(f"profile:{user_id}", profile)  # noqa: CL002',
        '    r.keys("profile:*")  # noqa: E501, CL007',  # another tool's noqa keeps its codes
        "    r.set(",
        '        f"flags:{user_id}",',
        "        flags,",
        "    )  # noqa: CL002",  # the statement's last row
    ]
    assert cachelint(".").exit_code == 0


def test_add_noqa_keeps_line_endings_and_encoding(app):
    app.write_bytes(APP.replace("\n", "\r\n").replace('"profile:{user_id}"', '"profilé:{user_id}"').encode("latin-1").replace(
        b"import redis", b"# -*- coding: latin-1 -*-\r\nimport redis", 1))
    assert cachelint("--add-noqa", ".").exit_code == 0
    raw = app.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert 'r.set(f"profilé:{user_id}", profile)  # noqa: CL002' in raw.decode("latin-1")
    assert cachelint(".").exit_code == 0


def test_add_noqa_reads_no_standard_input(app):
    result = cachelint("--add-noqa", "-", input=APP)
    assert result.exit_code == 2 and "cannot read standard input" in result.stderr
