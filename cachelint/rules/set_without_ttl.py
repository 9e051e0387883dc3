"""CL002 set-without-ttl (being written)."""
from __future__ import annotations

from cachelint.rules.base import Rule


class SetWithoutTtl(Rule):
    """(being written)"""

    code = "CL002"
    name = "set-without-ttl"
    summary = "A cache write stores an entry that never expires."

    def check(self, model, context):
        return iter(())
