"""Progress on standard error for the steps that can take more than a moment (tqdm).

Shown only when standard error is a terminal: logs, pipes and tests see nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["each", "each_call"]

T = TypeVar("T")


def each(items: Iterable[T], what: str, *, total: int | None = None) -> Iterator[T]:
    """``items`` one by one, with a progress bar named ``what`` on a terminal's standard error."""
    if not sys.stderr.isatty():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=what, total=total, file=sys.stderr, leave=False, unit="")


def each_call(functions: dict[str, Callable[[], T]], what: str) -> dict[str, Callable[[], T]]:
    """The same functions, each moving a progress bar named ``what`` on when it has run (on a terminal)."""
    if not sys.stderr.isatty():
        return functions
    from tqdm import tqdm

    bar = tqdm(total=len(functions), desc=what, file=sys.stderr, leave=False, unit="")

    def ticking(function: Callable[[], T]) -> Callable[[], T]:
        def run() -> T:
            value = function()
            bar.update()
            if bar.n == bar.total:
                bar.close()
            return value

        return run

    return {name: ticking(function) for name, function in functions.items()}
