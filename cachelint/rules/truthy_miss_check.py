"""CL001 truthy-miss-check (being written)."""
from __future__ import annotations

from cachelint.rules.base import Rule


class TruthyMissCheck(Rule):
    """(being written)"""

    code = "CL001"
    name = "truthy-miss-check"
    summary = "A cache read's result decides hit or miss by truthiness."

    def check(self, model, context):
        return iter(())
