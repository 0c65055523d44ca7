"""Read a source file as UTF-8 text, naming the line of the first byte that is not."""

from __future__ import annotations

from pathlib import Path

from coopgraph.errors import SourceError

__all__ = ["read_text"]


def read_text(path: Path) -> str:
    """Return the file's text; raise :class:`SourceError` for a missing, binary or non-UTF-8 file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(path, None, "no such file — check the path") from None
    except IsADirectoryError:
        raise SourceError(path, None, "is a folder, not a file") from None
    except OSError as exc:
        raise SourceError(path, None, f"cannot be read ({exc.strerror}) — check its permissions") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            path, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}) — save the file as UTF-8"
        ) from None
