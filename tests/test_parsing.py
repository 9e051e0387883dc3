import libcst as cst
import pytest

from cachelint.parsing import parse_module

SOURCE = '''\
import redis

r = redis.Redis()


@decorator(x=1)
async def view(request, *args, key: str = "k", **kwargs) -> dict:
    """Doc."""
    value = await r.get(f"user:{request.user.id}:{key!r}")
    if value is None and (x := [i for i in range(3) if i]) or not {**kwargs}:
        raise ValueError("miss") from None
    return {"value": value, **kwargs}
'''


def test_gives_the_tree_the_checked_parse_gives():
    module = parse_module(SOURCE)
    assert module.code == SOURCE
    assert module.deep_equals(cst.parse_module(SOURCE))


def test_nodes_made_after_the_parse_are_checked_again():
    parse_module(SOURCE)
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


def test_nodes_are_checked_again_after_a_syntax_error():
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def broken(:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")
