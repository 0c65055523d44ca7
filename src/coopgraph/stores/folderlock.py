"""Who may use an Oxigraph folder: one writer, or a server and its readers — taken before anything is touched.

A lock file beside the folder (``.DIR.lock``; the folder itself is replaced at every load) is held
with ``flock`` for as long as a process uses the store:

- exclusively by a process that opens the store to read or write it (``load``, ``query --store``,
  ``build --store``...): a second one is refused before it could clean up (or wreck) a load's
  staging folders;
- shared by ``coopgraph serve``, whose workers open the folder read-only: a ``load`` into a folder
  that is being served is refused, instead of changing it under the workers.

The lock goes with the process (the kernel drops it when the process ends, even by ``kill -9``).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from coopgraph.errors import StoreError

__all__ = ["FolderLock", "lock_path"]


def lock_path(folder: Path) -> Path:
    """The lock file of an Oxigraph folder."""
    return folder.parent / f".{folder.name}.lock"


class FolderLock:
    """An flock on an Oxigraph folder's lock file: ``shared`` for a server, else exclusive.

    Raises
    ------
    StoreError
        when another process holds it (the message says whether the folder is being served)
    """

    def __init__(self, folder: Path, *, shared: bool = False) -> None:
        self.folder = folder
        path = lock_path(folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            served = not shared and self._only_shared()
            self.release()
            spec = f"oxigraph:{folder}"
            if served:
                raise StoreError(f"{spec} is being served (coopgraph serve) — stop the server before loading into it, "
                                 "or load into another folder and serve that") from None
            raise StoreError(f"{spec} is in use by another process (a load, a query or a server) — wait for it to "
                             "finish, or stop it; nothing was changed") from None

    def _only_shared(self) -> bool:
        """Whether the holders share the lock (a server), rather than hold it alone (a load)."""
        try:
            fcntl.flock(self._fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # type: ignore[arg-type]
        except BlockingIOError:
            return False
        fcntl.flock(self._fd, fcntl.LOCK_UN)  # type: ignore[arg-type]
        return True

    def __del__(self) -> None:
        self.release()

    def release(self) -> None:
        """Let go of the lock (closing twice is harmless)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
