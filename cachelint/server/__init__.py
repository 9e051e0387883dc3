"""`cachelint server`: cachelint in the editor, over the Language Server Protocol (stdio).

The editor starts `cachelint server` and talks to it over standard input and output; it
needs pygls (`pip install 'cachelint[lsp]'`). What it does, one module each:

- documents: diagnostics for the text in the editor, as `cachelint check` gives them
  for that file (the same settings, pipeline, suppressions, messages and ranges);
- project: the project stage (CL010) from a whole-project run, refreshed after saves;
- protocol: findings as LSP diagnostics, code actions (fix, `# noqa`, documentation),
  hover text; positions: cachelint's locations as LSP positions;
- app: the pygls server that wires them to the editor's requests.
"""
from __future__ import annotations

import sys

INSTALL_HINT = "`cachelint server` needs pygls: pip install 'cachelint[lsp]'"


def serve() -> int:
    """Serve one editor session over stdio; the exit status."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        print(f"error: {INSTALL_HINT}", file=sys.stderr)
        return 2
    from cachelint.server.app import run

    run()
    return 0
