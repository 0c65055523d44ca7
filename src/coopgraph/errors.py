"""The exceptions coopgraph raises for user mistakes; anything else is a bug."""

from __future__ import annotations

from pathlib import Path

__all__ = ["CoopgraphError", "SourceError", "ValidationError", "QueryError", "StoreError"]


class CoopgraphError(Exception):
    """A problem the user can fix: bad input, bad data, a bad query. Shown as one line, exit code 1."""


class SourceError(CoopgraphError):
    """A source file that cannot be read: the message names the file, the line and what to do.

    Parameters
    ----------
    path : the file
    line : the 1-based line, or None when the whole file is at fault
    message : what is wrong — what to do
    """

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class ValidationError(CoopgraphError):
    """Data that reads but does not conform; ``problems`` are the lines of the report."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        head = problems[0] if problems else "the data does not conform"
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(head + more)


class QueryError(CoopgraphError):
    """A named query that is unknown, misses a parameter, or does not parse."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(f"query {name}: {message}")


class StoreError(CoopgraphError):
    """A store that cannot be opened, reached or written."""
