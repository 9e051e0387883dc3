"""The project index: what every file linted together caches, writes and invalidates.

Two steps, so that a per-file result cache keeps working:

- `facts_for(model, settings)` (cachelint.index.project) runs with the other rules on each file and gives small
  JSON-able facts (cachelint.index.facts), kept in `FileResult.facts`;
- `check_project(files, settings)` (the same module) runs once after all files, builds the `ProjectIndex`
  from the facts alone (fresh or cached alike) and adds the project rules' diagnostics
  (CL010) to the files they point into, honouring each file's selection and
  suppression comments.
"""
from __future__ import annotations

from cachelint.index.facts import file_facts
from cachelint.model.core.modules import module_name
from cachelint.index.index import Namespace, ProjectIndex, StaleWrite

__all__ = ["Namespace", "ProjectIndex", "StaleWrite", "file_facts", "module_name"]
