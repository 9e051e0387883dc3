"""The core layer: what any analysis of a Python module needs, nothing about caches or web apps.

The module as analyses see it (`module.SourceModule`), from the one walk over its tree
(`collect`, `facts`) and its byte spans (`positions`); scopes and bindings (`scopes`),
reaching definitions (`reaching`), which function a call runs (`calls`), what each side
of an `if` runs and what a body reads and calls (`branches`), whether one statement can
run after another (`flow`), the skeleton of value-flow analyses (`valueflow`), call
arguments and evaluated values (`values`), clock readings (`clock`), identifiers as
words (`words`), module names (`modules`), node helpers (`nodes`). Imports nothing from
`cache` or `app`.
"""
