"""CL007 keys-pattern-scan (being written)."""
from __future__ import annotations

from cachelint.rules.base import Rule


class KeysPatternScan(Rule):
    """(being written)"""

    code = "CL007"
    name = "keys-pattern-scan"
    summary = "Redis KEYS pattern scans block the server."

    def check(self, model, context):
        return iter(())
