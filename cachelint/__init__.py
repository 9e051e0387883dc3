"""cachelint: a linter for the caching code in Python applications."""

__version__ = "0.2.0"
