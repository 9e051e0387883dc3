"""cachelint: a linter for the caching code in Python applications."""

__version__ = "0.1.0"
