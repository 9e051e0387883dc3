"""CL014, CL015 and CL016 beyond their examples: CL014's fix and when there is none; keys
compared by shape; bodies followed through helpers; what each rule stays silent on."""
from __future__ import annotations

import libcst as cst

from cachelint import fix
from cachelint.config import Settings
from cachelint.engine import lint_source
from tests.conftest import lint

DJANGO = "from django.core.cache import cache\nimport redis\nr = redis.Redis()\n"


def _fixed(body: str) -> str | None:
    body = body.replace("get(k", 'get(f"sent:{k}"').replace("set(k,", 'set(f"sent:{k}",')
    """The source after CL014's fix, or None when the finding has none."""
    source = DJANGO + body
    [diagnostic] = lint(source, select=("CL014",))
    if diagnostic.fix is None:
        return None
    assert diagnostic.fix.applicability == "unsafe"
    text, _ = fix.apply_fixes(source, [diagnostic])
    cst.parse_module(text)
    return text[len(DJANGO):]


def test_the_exact_shape_becomes_an_add():
    body = "def f(k):\n    if cache.get(k):\n        return\n    cache.set(k, True, 60)\n    act()\n"
    assert _fixed(body) == 'def f(k):\n    if not cache.add(f"sent:{k}", True, 60):\n        return\n    act()\n'


def test_redis_gets_nx_and_the_fixed_code_is_clean():
    body = "def f(k):\n    if r.get(k):\n        return\n    r.set(k, 1, ex=60)\n    act()\n"
    fixed = _fixed(body)
    assert fixed == 'def f(k):\n    if not r.set(f"sent:{k}", 1, ex=60, nx=True):\n        return\n    act()\n'
    assert lint(DJANGO + fixed, select=("CL014",)) == []


def test_no_fix_for_any_other_shape():
    assert _fixed("def f(k):\n    if cache.get(k):\n        return False\n    cache.set(k, 1, 60)\n") is None
    assert _fixed("def f(k):\n    if cache.get(k) is not None:\n        return\n    cache.set(k, 1, 60)\n") is None
    assert _fixed("def f(k):\n    if cache.get(k):\n        return\n    log()\n    cache.set(k, 1, 60)\n") is None
    assert _fixed("def f(k):\n    if not cache.get(k):\n        cache.set(k, 1, 60)\n        act()\n") is None


def test_a_flag_that_only_throttles_its_own_check_is_not_reported():
    body = "def f(pk):\n    if cache.get(f'config-check:{pk}') is None:\n        check(pk)\n        cache.set(f'config-check:{pk}', True, 60)\n"
    assert lint(DJANGO + body, select=("CL014",)) == []
    assert len(lint(DJANGO + body.replace("config-check", "config-lock"), select=("CL014",))) == 1


def test_one_finding_per_check():
    body = (
        "def f(job):\n    if cache.get(f'job:{job}:done'):\n        return\n    try:\n        run(job)\n"
        "    except Exception:\n        cache.set(f'job:{job}:done', 'error', 60)\n        raise\n"
        "    else:\n        cache.set(f'job:{job}:done', 'ok', 60)\n"
    )
    assert [d.location.row for d in lint(DJANGO + body, select=("CL014",))] == [10]


def test_a_value_another_decision_returns_is_data():
    body = (
        "def f(url):\n    cached = cache.get(f'url-seen:{url}')\n    if cached is True:\n        return None\n"
        "    if cached:\n        return cached\n    cache.set(f'url-seen:{url}', True, 60)\n"
    )
    assert lint(DJANGO + body, select=("CL014",)) == []


def test_a_fill_of_a_constant_that_the_hit_returns_is_not_a_marker():
    body = "def f(k):\n    v = cache.get(k)\n    if v is not None:\n        return v\n    cache.set(k, 'none', 60)\n    return 'none'\n"
    assert lint(DJANGO + body, select=("CL014",)) == []


def test_a_sentinel_default_is_left_to_what_it_is_compared_with():
    body = "def f(k):\n    if cache.get(k, MISSING) is not MISSING:\n        return\n    cache.set(k, 1, 60)\n"
    assert lint(DJANGO + body, select=("CL014",)) == []


def test_keys_with_differently_spelled_parts_are_not_known_to_differ():
    body = (
        "def f(request, uid):\n    d = cache.get(f'feed:{request.user.id}')\n    if d is None:\n"
        "        d = load(uid)\n        cache.set(f'feed:{uid}', d, 60)\n    return d\n"
    )
    assert lint(DJANGO + body, select=("CL015",)) == []


def test_a_key_parameter_is_the_callers_business():
    body = (
        "def f(key, other_key):\n    d = cache.get(key)\n    if d is None:\n"
        "        d = load()\n        cache.set(other_key, d, 60)\n    return d\n"
    )
    assert lint(DJANGO + body, select=("CL015",)) == []


def test_the_message_names_both_keys():
    body = (
        "def f(pid):\n    d = cache.get(f'product:{pid}')\n    if d is None:\n"
        "        d = load(pid)\n        cache.set(f'products:{pid}', d, 60)\n    return d\n"
    )
    [diagnostic] = lint(DJANGO + body, select=("CL015",))
    assert 'f"products:{pid}"' in diagnostic.message and 'f"product:{pid}"' in diagnostic.message


HTTP = "import requests\nfrom django.core.cache import cache\n"


def test_a_status_check_after_the_body_is_taken_still_counts():
    body = (
        "def f(u):\n    resp = requests.get(u)\n    data = resp.json()\n    if resp.status_code != 200:\n"
        "        return None\n    cache.set('x:1', data, 60)\n"
    )
    assert lint(HTTP + body, select=("CL016",)) == []


def test_a_response_passed_to_a_checking_helper_counts():
    body = "def f(u):\n    resp = requests.get(u)\n    ensure_ok(resp)\n    cache.set('x:1', resp.json(), 60)\n"
    assert lint(HTTP + body, select=("CL016",)) == []


def test_a_helper_returning_the_response_unchecked_is_followed():
    body = (
        "def _call(u):\n    return requests.get(u, timeout=5)\n\n"
        "def f(u):\n    resp = _call(u)\n    cache.set('x:1', resp.json(), 60)\n"
    )
    assert [d.location.row for d in lint(HTTP + body, select=("CL016",))] == [8]


def test_an_except_that_returns_caches_nothing():
    body = (
        "def f(u):\n    try:\n        data = fetch(u)\n    except Exception:\n        data = None\n        return data\n"
        "    cache.set('x:1', data, 60)\n\ndef fetch(u):\n    return requests.get(u).json()['x']\n"
    )
    assert lint(HTTP + body, select=("CL016",)) == []


def test_the_fix_is_applied_by_the_engine():
    source = DJANGO + "def f(k):\n    if cache.get(f'lock:{k}'):\n        return\n    cache.set(f'lock:{k}', True, 60)\n"
    result = lint_source("example.py", source.encode(), Settings(select=("CL014",)))
    [diagnostic] = result.diagnostics
    [edit] = diagnostic.fix.edits
    assert (edit.location.row, edit.end_location.row) == (5, 7)


def test_the_project_wrappers_are_followed(tmp_path):
    from pathlib import Path

    from cachelint.engine import lint_paths

    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "store.py").write_text(
        "import redis\nr = redis.Redis()\n\ndef remember(key, value, ttl):\n    r.set(f'app:{key}', value, ex=ttl)\n\n"
        "def recall(key):\n    return r.get(f'app:{key}')\n"
    )
    (tmp_path / "views.py").write_text(
        "from .store import recall, remember\n\ndef accept(event_id):\n    if recall(f'seen:{event_id}'):\n"
        "        return\n    remember(f'seen:{event_id}', 1, 600)\n\ndef profile(uid):\n    data = recall(f'profile:{uid}')\n"
        "    if data is None:\n        data = load(uid)\n        remember(f'profiles:{uid}', data, 600)\n    return data\n"
    )
    run = lint_paths([tmp_path], Settings(select=("CL014", "CL015")))
    found = sorted((Path(d.filename).name, d.location.row, d.code, d.fix is None) for d in run.diagnostics)
    assert found == [("views.py", 6, "CL014", True), ("views.py", 12, "CL015", True)]


def test_a_wrapper_over_set_nx_is_atomic(tmp_path):
    from cachelint.engine import lint_paths

    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "store.py").write_text(
        "import redis\nr = redis.Redis()\n\ndef claim(key, value, ttl):\n    return r.set(f'app:{key}', value, nx=True, ex=ttl)\n\n"
        "def held(key):\n    return r.get(f'app:{key}')\n"
    )
    (tmp_path / "views.py").write_text(
        "from .store import claim, held\n\ndef run(job):\n    if held(f'lock:{job}'):\n        return\n"
        "    claim(f'lock:{job}', 1, 600)\n"
    )
    assert lint_paths([tmp_path], Settings(select=("CL014",))).diagnostics == []


# A count kept in the cache: read, tested against a limit, written back plus one.
COUNTED = '''
def resend(user_id):
    sent = cache.get(f"resend-attempts:{user_id}") or 0
    if sent >= 5:
        {limit}
    cache.set(f"resend-attempts:{user_id}", sent + 1, 3600)
    mail(user_id)
'''


def test_a_count_read_tested_against_a_limit_and_set_plus_one_is_reported():
    [finding] = lint(DJANGO + COUNTED.replace("{limit}", 'raise PermissionError("later")'), select=("CL014",))
    assert finding.location.row == 9
    assert "reads the count `sent`" in finding.message and "`incr(…)`" in finding.message
    both = 'if known(user_id):\n            return "locked"\n        else:\n            return "unknown"'
    assert len(lint(DJANGO + COUNTED.replace("{limit}", both), select=("CL014",))) == 1


def test_a_count_not_tested_against_a_limit_that_ends_the_call_is_not_reported():
    # A test that goes on (only logs), or no test at all: a tally, not a limit.
    assert lint(DJANGO + COUNTED.replace("{limit}", 'log("many")'), select=("CL014",)) == []
    tally = COUNTED.replace("    if sent >= 5:\n        {limit}\n", "")
    assert lint(DJANGO + tally, select=("CL014",)) == []
    # A key and a count that say nothing of attempts, tries or limits.
    views = COUNTED.replace("resend-attempts", "page-views").replace("sent", "shown")
    assert lint(DJANGO + views.replace("{limit}", "return"), select=("CL014",)) == []


def test_an_atomic_count_is_not_reported():
    body = '''
def resend(user_id):
    cache.add(f"resend-attempts:{user_id}", 0, 3600)
    if cache.incr(f"resend-attempts:{user_id}") > 5:
        raise PermissionError("later")
    mail(user_id)
'''
    assert lint(DJANGO + body, select=("CL014",)) == []


def test_a_field_of_a_decoded_entry_is_a_count_too():
    body = '''
import json


def start_sign_in(email, token):
    raw = r.get(f"sign-in:{email}")
    if raw:
        entry = json.loads(raw)
        if entry["attempt"] > 2:
            raise PermissionError("too many codes")
        r.set(f"sign-in:{email}", json.dumps({"attempt": entry["attempt"] + 1, "token": token}), ex=600)
    else:
        r.set(f"sign-in:{email}", json.dumps({"attempt": 0, "token": token}), ex=600)
'''
    [finding] = lint(DJANGO + body, select=("CL014",))
    assert finding.location.row == 14 and "under a key of its own" in finding.message
