"""The core layer: what any analysis of a Python module needs, nothing about caches or web apps.

Scopes and bindings (`scopes`), the one walk that collects them (`collect`, `facts`),
byte spans (`positions`), reaching definitions (`reaching`), whether one statement can
run after another (`flow`), the skeleton of value-flow analyses (`valueflow`), call
arguments and evaluated numbers (`values`), identifiers as words (`words`), module names
(`modules`). Imports nothing from `cache` or `app`.
"""
