"""The one reading of a store spec: ``memory``, ``oxigraph:DIR`` or the URL of a SPARQL 1.1 endpoint.

Every command's ``--store SPEC`` and ``$COOPGRAPH_STORE`` go through :func:`parse_spec`, so a spec
means the same to ``load``, ``query`` and ``serve`` (``oxigraph:~/s`` is the folder ``s`` in the
home folder for all of them).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from coopgraph.errors import StoreError

__all__ = ["STORE_ENV", "Spec", "store_spec", "parse_spec"]

#: The environment variable that gives the default store spec (``memory`` when unset).
STORE_ENV = "COOPGRAPH_STORE"


@dataclass(frozen=True)
class Spec:
    """A store spec, read.

    Attributes
    ----------
    kind : ``memory``, ``oxigraph`` or ``remote``
    location : the Oxigraph folder (``~`` expanded), or the endpoint's URL; empty for memory
    """

    kind: str
    location: str = ""

    @property
    def folder(self) -> Path:
        """The Oxigraph folder (for ``oxigraph`` specs)."""
        return Path(self.location)

    def __str__(self) -> str:
        return {"memory": "memory", "oxigraph": f"oxigraph:{self.location}"}.get(self.kind, self.location)


def store_spec(spec: str | None = None) -> str:
    """The spec to use, as text: ``spec`` if given, else ``$COOPGRAPH_STORE``, else ``memory``."""
    return (spec or os.environ.get(STORE_ENV) or "memory").strip()


def parse_spec(spec: str | Spec | None = None) -> Spec:
    """Read a spec (default ``$COOPGRAPH_STORE``, else ``memory``).

    >>> parse_spec("memory").kind
    'memory'
    >>> parse_spec("oxigraph:out/store").location
    'out/store'
    >>> parse_spec("http://127.0.0.1:7878").kind
    'remote'

    Raises
    ------
    StoreError
        for a spec of no known kind, or ``oxigraph:`` without a folder
    """
    if isinstance(spec, Spec):
        return spec
    text = store_spec(spec)
    if text == "memory":
        return Spec("memory")
    if text.startswith("oxigraph:"):
        location = text[len("oxigraph:"):]
        if not location:
            raise StoreError("store 'oxigraph:' needs a folder — write oxigraph:DIR, e.g. oxigraph:out/store")
        return Spec("oxigraph", str(Path(location).expanduser()))
    if re.match(r"https?://", text, re.I):
        return Spec("remote", text)
    raise StoreError(
        f"unknown store '{text}' — use memory, oxigraph:DIR or the URL of a SPARQL endpoint (http://...)"
    )
