"""Write a draft in the authoring format (YAML-LD), with the evidence and doubts as YAML comments.

Layout (the same keys as a curated source file)::

    source:                       # the article: title, issued, language, publisher, sha256
    graph:
      # evidence [340, 573); confidence 0.90
      - id: lstu-visit-liaoning-2023-09
        type: Visit
        ...
        quote: {ru: "С 11 по 15 сентября делегация ..."}
      # ---- below the confidence threshold: uncomment what the text supports
      # - id: ...

- ``# evidence [start, end)`` gives the character offsets of each sentence quoted, in the article as
  read (UTF-8, line ends as \\n), and the confidence of the rule that found the fact (0–1).
- A fact below the threshold (or missing what the shapes require) is written commented out; references
  to it from other facts are left out, so the data that remains validates.
- An institution the registry does not resolve is referred to as ``unresolved-<name>``, an id that
  exists nowhere: ``coopgraph validate`` fails on each line that uses it until the reviewer writes a
  registry id there (or adds the institution to the registry, under that id). A ``# UNRESOLVED:``
  comment above the line says what was found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from coopgraph.extract.model import Node, Unresolved

__all__ = ["render_yaml", "scalar"]

_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/+:-]*$")
_REFERENCE_KEYS = ("attended", "signedAt", "withinProgramme", "expectedOutcome", "visited", "about", "attendee",
                   "host", "party", "provider", "sender", "receiver", "organization", "unitOf", "publisher",
                   "visitor", "participant", "inCapacityOf")


def scalar(value: str) -> str:
    """A YAML scalar: plain when safe (ids, dates, numbers), else double-quoted (JSON escaping is valid YAML).

    >>> scalar("lstu"), scalar("2023-09-11"), scalar('Липецкий "Политех": да')
    ('lstu', '2023-09-11', '"Липецкий \\\\"Политех\\\\": да"')
    """
    if _PLAIN.match(value) and ": " not in value and not value.endswith(":"):
        return value
    return json.dumps(value, ensure_ascii=False)


def _flow(value: Any) -> str:
    if isinstance(value, str):
        return scalar(value)
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _evidence(node: Node) -> str | None:
    if not node.evidence:
        return None
    spans = " ".join(f"[{s}, {e})" for s, e in node.evidence)
    return f"evidence {spans}; confidence {node.confidence:.2f}"


def _render_node(node: Node, indent: int, unresolved: dict[str, Unresolved], dropped: set[str], threshold: float,
                 lines: list[str]) -> None:
    pad = " " * indent
    evidence = _evidence(node)
    if evidence:
        lines.append(f"{pad}# {evidence}")
    for note in node.notes:
        if note:
            lines.append(f"{pad}# note: {note}")
    first = True
    for key, value in node.fields.items():
        lead = f"{pad}- " if first else f"{pad}  "
        inner = " " * (indent + 2)
        if key in _REFERENCE_KEYS:
            refs = [v for v in _ids(value) if v not in dropped]
            if not refs:
                continue
            value = refs if isinstance(value, list) else refs[0]
            for ref in refs:
                if ref in unresolved:
                    u = unresolved[ref]
                    lines.append(f"{inner}# UNRESOLVED: {u.message} — replace '{ref}' by the institution's registry id "
                                 f"(coopgraph resolve NAME), or add it to data/registry/institutions.yaml")
        if isinstance(value, Node) or (isinstance(value, list) and value and all(isinstance(v, Node) for v in value)):
            children = [value] if isinstance(value, Node) else value
            kept = [c for c in children if c.confidence >= threshold and c.id not in dropped]
            if kept:
                lines.append(f"{lead}{key}:")
            for child in children:
                if child in kept:
                    _render_node(child, indent + 4, unresolved, dropped, threshold, lines)
                    continue
                block: list[str] = []
                _render_node(child, indent + 4, unresolved, dropped, 0.0, block)
                lines.append(f"{' ' * (indent + 4)}# below the confidence threshold ({threshold:.2f}): '{key}'")
                lines.extend(f"{' ' * (indent + 4)}# {line[indent + 4:]}" for line in block)
        else:
            lines.append(f"{lead}{key}: {_flow(value)}")
        first = False


def _all_ids(nodes: Iterable[Node]) -> dict[str, Node]:
    out: dict[str, Node] = {}
    for node in nodes:
        if node.id:
            out[node.id] = node
        for value in node.fields.values():
            children = [value] if isinstance(value, Node) else value if isinstance(value, list) else []
            out.update(_all_ids(c for c in children if isinstance(c, Node)))
    return out


def render_yaml(*, header: list[str], source: Node, nodes: list[Node], unresolved: dict[str, Unresolved],
                threshold: float, mentioned: list[str]) -> str:
    """The draft as YAML text (see the module docstring for its layout)."""
    every = _all_ids(nodes)
    dropped = {i for i, n in every.items() if n.confidence < threshold}
    lines = [f"# {h}" if h else "#" for h in header]
    if unresolved:
        lines.append("#")
        lines.append("# Institutions found in the text that the registry does not resolve (proposals for the registry):")
        for u in unresolved.values():
            names = ", ".join(json.dumps(n, ensure_ascii=False) for n in u.names)
            lines.append(f"#   {u.id}: names found {names}; first at [{u.start}, {u.end})")
    if mentioned:
        lines.append("#")
        lines.append("# Institutions of the registry named in the text: " + ", ".join(mentioned))
    lines.append("source:")
    for key, value in source.fields.items():
        if key == "publisher" and value in unresolved:
            lines.append(f"  # UNRESOLVED: {unresolved[value].message} — replace '{value}' by a registry id")
        lines.append(f"  {key}: {_flow(value)}")
    for note in source.notes:
        lines.append(f"  # note: {note}")
    kept = [n for n in nodes if n.id not in dropped]
    low = [n for n in nodes if n.id in dropped]
    lines.append("graph:" if kept else "graph: []")
    for node in kept:
        _render_node(node, 2, unresolved, dropped, threshold, lines)
        lines.append("")
    if low:
        lines.append(f"  # ---------------- below the confidence threshold ({threshold:.2f}), or missing what the shapes")
        lines.append("  # require: uncomment only what the article supports, and complete it")
        for node in low:
            block: list[str] = []
            _render_node(node, 2, unresolved, set(), 0.0, block)
            lines.extend("  # " + line[2:] if line.startswith("  ") else "# " + line for line in block)
            lines.append("")
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
