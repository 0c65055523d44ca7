"""What a source file may hold, checked before a parser recurses, allocates or fetches anything.

PyYAML, :mod:`json` and rdflib trust what they read: they recurse once or more per level of nesting,
expand YAML aliases and XML entities without bound, and rdflib's JSON-LD parser fetches any ``@context``
that names a document. Every reader of :mod:`coopgraph.sources` passes a file through here first, and
each refusal is a :class:`~coopgraph.errors.SourceError` with the file, the line and what to do:

- nesting deeper than :data:`MAX_DEPTH` levels (real sources nest under 10; the parsers overflow
  Python's stack at a few hundred, and rdflib's canonical blank-node labels, which the build's
  Turtle needs, take minutes for a chain of a few thousand blank nodes);
- YAML aliases that repeat more than :data:`MAX_ALIAS_VALUES` values in all (``*topics`` repeating a
  list is fine; six lines of aliases can stand for a million entities);
- control characters, C0 and C1, except tab and line breaks: a source holds text, and ESC or BEL in a
  name would drive the terminal it is printed on;
- RDF files larger than :func:`max_rdf_bytes` (16 MiB unless ``COOPGRAPH_MAX_RDF_SIZE`` or
  ``coopgraph import rdf --max-size`` says otherwise), refused before they are read: rdflib needs
  about 25 bytes of memory and 1 µs per byte of a typical file, and far more for some hostile ones;
- JSON-LD ``@context`` and ``@import`` that name a document: nothing outside the file is fetched,
  from the network or from the disk;
- XML entities that refer to other entities (the "billion laughs"), to outside files or addresses,
  and parameter entities, as defusedxml refuses them; plain text entities, the namespace idiom of
  ontology editors (``<!ENTITY owl "http://www.w3.org/2002/07/owl#">``), are read as long as their
  expansion adds no more than the size limit.
"""

from __future__ import annotations

import json
import os
import re
import xml.parsers.expat
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from rdflib import RDF, BNode, Graph

from coopgraph.errors import CoopgraphError, SourceError
from coopgraph.sources.text import read_text

__all__ = [
    "MAX_DEPTH",
    "MAX_ALIAS_VALUES",
    "DEFAULT_MAX_RDF_BYTES",
    "SIZE_VARIABLE",
    "byte_size",
    "size_text",
    "max_rdf_bytes",
    "control_character",
    "visible",
    "compose_yaml",
    "read_rdf_text",
    "json_ld_document",
    "check_xml_entities",
    "check_blank_node_nesting",
]

#: Levels of nesting a source may have (a mapping in a list in a mapping is three).
MAX_DEPTH = 32
#: Values that the aliases (``*name``) of one YAML file may repeat, all together.
MAX_ALIAS_VALUES = 10_000
#: The largest RDF source read unless told otherwise: about 140,000 triples of typical Turtle, which
#: rdflib reads in some 15 s into 400 MB.
DEFAULT_MAX_RDF_BYTES = 16 * 1024**2
#: The environment variable that sets the largest RDF source for every command (``64M``, ``1G``).
SIZE_VARIABLE = "COOPGRAPH_MAX_RDF_SIZE"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every Cc character but tab and line feed
_CONTROL_IN_FILE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # ... and carriage return, a line end
_C0_NAMES = (
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_NESTING = f"nests deeper than {MAX_DEPTH} levels — real sources nest under 10: flatten it"


# ---------------------------------------------------------------- sizes


def byte_size(text: str) -> int:
    """A size in bytes from ``1048576``, ``512k``, ``16M`` or ``1G`` (binary units, any case).

    >>> byte_size("16M") == 16 * 1024 * 1024
    True
    """
    match = re.fullmatch(r"\s*(\d+)\s*([kmg]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"not a size: {text!r} (write e.g. 64M)")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def size_text(size: int) -> str:
    """A size for people to read: ``16 MiB``, ``1.5 GiB``, ``900 bytes``.

    >>> size_text(16 * 1024 * 1024), size_text(3 * 1024**3 // 2), size_text(900)
    ('16 MiB', '1.5 GiB', '900 bytes')
    """
    for name, unit in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= unit:
            value = size / unit
            return f"{value:.0f} {name}" if value == int(value) else f"{value:.1f} {name}"
    return f"{size} bytes"


def max_rdf_bytes() -> int:
    """The largest RDF source read: ``COOPGRAPH_MAX_RDF_SIZE`` when set, else :data:`DEFAULT_MAX_RDF_BYTES`."""
    value = os.environ.get(SIZE_VARIABLE)
    if not value:
        return DEFAULT_MAX_RDF_BYTES
    try:
        return byte_size(value)
    except ValueError:
        raise CoopgraphError(f"{SIZE_VARIABLE}={value!r} is not a size — write e.g. {SIZE_VARIABLE}=64M") from None


# ---------------------------------------------------------------- characters


def control_character(text: str) -> int | None:
    """Where the first control character of ``text`` is (tab and line feed are text), or None."""
    match = _CONTROL.search(text)
    return match.start() if match else None


def _named(character: str) -> str:
    code = ord(character)
    name = _C0_NAMES[code] if code < 32 else "DEL" if code == 127 else "C1"
    return f"control character U+{code:04X} ({name})"


def _control_message(character: str, where: str = "") -> str:
    return f"a {_named(character)}{where} — remove it: a source holds text (tab and line breaks are the only controls read)"


def visible(text: str) -> str:
    r"""``text`` with each control character but tab and line feed written as an escape, ``\x1b``.

    >>> visible("red\x1b[31m bell\x07")
    'red\\x1b[31m bell\\x07'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _refuse_control_characters(path: Path, text: str) -> None:
    match = _CONTROL_IN_FILE.search(text)
    if match:
        raise SourceError(path, _line_of(text, match.start()), _control_message(match.group()))


# ---------------------------------------------------------------- YAML


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe composer, with nesting, aliases and characters bounded as it goes.

    The composer recurses once per level; the scanner and parser before it do not, so counting
    levels here stops a 10,000-deep file at level :data:`MAX_DEPTH`, having read only that far.
    What an alias repeats is measured when it is used (values, and levels counted through aliases).
    """

    def __init__(self, text: str, path: Path) -> None:
        super().__init__(text)
        self.path = path
        self.depth = 0
        self.repeated = 0
        self.open_anchors: set[str] = set()
        self.measures: dict[int, tuple[int, int]] = {}  # id(node) → (values in it, levels in it)

    def refuse(self, mark: yaml.Mark, message: str) -> SourceError:
        return SourceError(self.path, mark.line + 1, message)

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self.open_anchors:
                raise self.refuse(event.start_mark, f"alias '*{event.anchor}' stands inside the value it names — "
                                  "write the value out")
            node = super().compose_node(parent, index)
            values, levels = self.measure(node)
            if self.depth + levels > MAX_DEPTH:
                raise self.refuse(event.start_mark, _NESTING)
            self.repeated += values
            if self.repeated > MAX_ALIAS_VALUES:
                raise self.refuse(event.start_mark, f"aliases (*{event.anchor}) repeat more than {MAX_ALIAS_VALUES:,} "
                                  "values — write the repeated part out, or repeat less")
            return node
        if self.depth >= MAX_DEPTH:
            raise self.refuse(event.start_mark, _NESTING)
        anchor = event.anchor  # type: ignore[attr-defined]
        if anchor is not None:
            self.open_anchors.add(anchor)
        self.depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
            self.open_anchors.discard(anchor)
        if isinstance(node, yaml.ScalarNode) and node.style == '"':  # only an escape (\e, \x07) makes a control here
            at = control_character(node.value)
            if at is not None:
                raise self.refuse(node.start_mark, _control_message(node.value[at], " (written as an escape)"))
        return node

    def measure(self, node: yaml.Node) -> tuple[int, int]:
        """Values in ``node`` and levels it nests, aliases in it included (each ≤ MAX_DEPTH, as composed)."""
        if id(node) not in self.measures:
            if isinstance(node, yaml.ScalarNode):
                self.measures[id(node)] = (1, 1)
            else:
                children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
                inner = [self.measure(child) for child in children]
                self.measures[id(node)] = (1 + sum(v for v, _ in inner), 1 + max((levels for _, levels in inner), default=0))
        return self.measures[id(node)]


def compose_yaml(path: Path, text: str) -> yaml.Node | None:
    """The YAML node tree of ``text`` (the file ``path``), with every limit checked on the way.

    Raises
    ------
    SourceError
        for a control character, nesting deeper than :data:`MAX_DEPTH`, aliases that repeat more
        than :data:`MAX_ALIAS_VALUES` values, or a YAML syntax error; each with its line
    """
    _refuse_control_characters(path, text)
    loader = _BoundedLoader(text, path)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "YAML syntax error"
        raise SourceError(path, line, f"YAML syntax error: {problem} — fix the indentation or quoting") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (U+FFFE, U+FFFF)
        raise SourceError(path, _line_of(text, exc.position), f"the character U+{exc.character:04X} is not allowed in "
                          "YAML — remove it") from None
    finally:
        loader.dispose()


# ---------------------------------------------------------------- RDF


def read_rdf_text(path: Path, *, max_bytes: int) -> str:
    """The text of an RDF file no larger than ``max_bytes``, without control characters but line breaks and tab.

    The size is checked before anything is read (a sparse 1 GiB file is refused at once).
    """
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # read_text names what is wrong with the path
    if size > max_bytes:
        raise SourceError(path, None, f"is {size_text(size)}, larger than {size_text(max_bytes)}, the most coopgraph "
                          f"reads of one RDF source — split the file, or raise the limit (coopgraph import rdf --max-size "
                          f"64M; {SIZE_VARIABLE}=64M for every command)")
    text = read_text(path)
    _refuse_control_characters(path, text)
    return text


def json_ld_document(path: Path, text: str) -> Any:
    """The JSON of a JSON-LD file, once it is known to nest little and to name no outside context.

    Raises
    ------
    SourceError
        for JSON that does not parse, nests deeper than :data:`MAX_DEPTH`, or whose ``@context`` or
        ``@import`` names a document (rdflib would fetch it)
    """
    try:
        document = json.loads(text)
    except RecursionError:
        raise SourceError(path, None, _NESTING) from None
    except json.JSONDecodeError as exc:
        raise SourceError(path, exc.lineno, f"does not parse as JSON: {exc.msg} (column {exc.colno}) — fix the syntax") from None
    except ValueError as exc:  # e.g. a number of more than 4300 digits
        raise SourceError(path, None, f"does not parse as JSON: {exc} — fix the value") from None
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SourceError(path, None, _NESTING)
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("@context", "@import"):
                    for reference in item if isinstance(item, list) else [item]:
                        if isinstance(reference, str):
                            line = _line_of(text, max(text.find(json.dumps(reference)), 0))
                            raise SourceError(path, line, f"names a {key} outside the file ({visible(reference)}) — "
                                              "coopgraph fetches nothing: copy the context into the file")
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return document


class _RootElement(Exception):
    """The prolog and DTD are read: the document's first element starts."""


_ENTITY_REFERENCE = re.compile(r"&([A-Za-z_:][\w.:-]*);")


def check_xml_entities(path: Path, text: str, *, max_bytes: int) -> None:
    """Refuse an XML file whose DTD could expand without bound, or reach outside the file.

    Expat reads the prolog and the DTD only (it stops at the first element, so nothing is expanded);
    plain text entities are then counted where they are used.

    Raises
    ------
    SourceError
        for an outside DTD or entity, a parameter entity, an entity that refers to other entities,
        or entities whose expansion would add more than ``max_bytes``
    """
    if "<!DOCTYPE" not in text:
        return
    parser = xml.parsers.expat.ParserCreate()
    sizes: dict[str, int] = {}

    def refuse(message: str) -> SourceError:
        return SourceError(path, parser.CurrentLineNumber, message)

    def doctype(name: str, system_id: str | None, public_id: str | None, has_internal_subset: int) -> None:
        if system_id or public_id:
            raise refuse(f"its DTD is outside the file ({visible(system_id or public_id or '')}) — coopgraph reads "
                         "nothing outside the file: remove the DOCTYPE's SYSTEM or PUBLIC part")

    def entity(name: str, is_parameter: int, value: str | None, base: str | None, system_id: str | None,
               public_id: str | None, notation: str | None) -> None:
        if is_parameter:
            raise refuse(f"parameter entity '%{name}' — coopgraph reads plain text entities only: write the DTD out")
        if value is None:
            raise refuse(f"entity '{name}' refers to a file or address outside the file ({visible(system_id or '')}) "
                         "— coopgraph reads nothing outside the file: write the text in")
        if "&" in value or "%" in value:
            raise refuse(f"entity '{name}' refers to other entities — entities inside entities can expand to "
                         "gigabytes from a few lines (a 'billion laughs'): write the text out")
        sizes[name] = len(value)

    def root(name: str, attributes: object) -> None:
        raise _RootElement

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = root
    try:
        parser.Parse(text, True)
    except _RootElement:
        pass
    except xml.parsers.expat.ExpatError as exc:
        raise SourceError(path, exc.lineno, f"does not parse as RDF/XML: {xml.parsers.expat.ErrorString(exc.code)} "
                          f"(column {exc.offset + 1}) — fix the syntax") from None
    if sizes:
        expanded = sum(sizes.get(m.group(1), 0) for m in _ENTITY_REFERENCE.finditer(text))
        if expanded > max_bytes:
            raise SourceError(path, None, f"its entities would expand to {size_text(expanded)}, more than the "
                              f"{size_text(max_bytes)} limit — write the text out, or raise the limit "
                              f"({SIZE_VARIABLE}, or --max-size with coopgraph import rdf)")


def check_blank_node_nesting(path: Path, graph: Graph) -> None:
    """Refuse a graph whose blank nodes nest deeper than :data:`MAX_DEPTH` levels.

    A blank node's level is the fewest properties from a named node to it (or from a blank node
    that nothing names); ``rdf:rest`` does not count, so a long list is one level. rdflib's RDF/XML
    parser reads 5,000 nested descriptions in a third of a second; the canonical labels of that
    chain then take longer than five minutes.
    """
    inner: dict[BNode, list[tuple[BNode, bool]]] = {}
    named: set[BNode] = set()
    objects: set[BNode] = set()
    blank: set[BNode] = set()
    for subject, predicate, value in graph:
        if isinstance(subject, BNode):
            blank.add(subject)
        if isinstance(value, BNode):
            blank.add(value)
            objects.add(value)
            if isinstance(subject, BNode):
                inner.setdefault(subject, []).append((value, predicate == RDF.rest))
            else:
                named.add(value)
    level: dict[BNode, int] = {}

    def spread(starts: Iterable[BNode]) -> None:  # 0-1 breadth first: an rdf:rest costs no level
        queue = deque(b for b in starts if b not in level)
        level.update((b, 1) for b in queue)
        while queue:
            node = queue.popleft()
            for child, same in inner.get(node, ()):
                depth = level[node] + (0 if same else 1)
                if depth < level.get(child, depth + 1):
                    if depth > MAX_DEPTH:
                        raise SourceError(path, None, f"blank nodes nest deeper than {MAX_DEPTH} levels — real sources "
                                          "nest under 10: flatten them")
                    level[child] = depth
                    (queue.appendleft if same else queue.append)(child)

    spread(named)
    spread(b for b in blank if b not in objects)
    for node in blank:  # on cycles of blank nodes only
        spread([node])
