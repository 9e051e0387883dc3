"""CL013 zero-ttl (being written)."""
from __future__ import annotations

from cachelint.rules.base import Rule


class ZeroTtl(Rule):
    """(being written)"""

    code = "CL013"
    name = "zero-ttl"
    summary = "A TTL of zero or less where the client treats it as an error or as do-not-cache."

    def check(self, model, context):
        return iter(())
