"""The project stage: what every file linted together caches, writes and invalidates.

Per-file facts (cachelint.project.facts, read from a module's model by
cachelint.project.extract) are typed, depend on their file alone and round-trip the
result cache; the `ProjectModel` (cachelint.project.model) merges them and resolves names
across modules; project rules (`ProjectRule`, CL010) judge it. The engine runs the passes
(cachelint.engine, "The passes"). This package reads the model layer and nothing above
it: rules read it, the engine drives it.
"""
