"""Read an authoring file (YAML as JSON-LD, through the context generated from the ontology).

A file holds what one source says::

    source:              # the document: a news article, a registry
      id: source-lstu-2023-09-18
      type: NewsArticle
      title: {ru: ...}
    graph:               # the facts it states, one node per entity
      - id: lstu-visit-2023-09
        type: Visit
        ...

JSON-LD silently drops keys it does not know; this reader rejects them first, with the file, the
line and the closest known key, and checks every value against its term (ids, ontology terms,
language maps, dates, numbers) before handing the document to rdflib's JSON-LD parser.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from coopgraph import ids, resources
from coopgraph.errors import SourceError
from coopgraph.sources.guard import compose_yaml
from coopgraph.sources.text import read_text

__all__ = ["ReadSource", "read_yaml_ld", "LANGUAGES", "YEARS", "EVENT_YEARS"]

_TOP_KEYS = ("source", "graph")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE_FORMS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$"), "dateTime"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "date"),
    (re.compile(r"^\d{4}-\d{2}$"), "gYearMonth"),
    (re.compile(r"^\d{4}$"), "gYear"),
)
#: The years a date may have, first and last: events, posts and documents from 1800 (cooperation between
#: universities as we record it begins in the 19th century) to 2100 (plans look a few years ahead);
#: founding years from 800, since ROR's oldest records are Al-Azhar (970) and Hunan University (976).
#: A year outside is a typo ('0202') or a placeholder ('0000', '9999'), and would stretch the timeline
#: over centuries. ontology/shapes.ttl holds the same ranges for sources in RDF.
YEARS: dict[str, tuple[int, int]] = {"founded": (800, 2100)}
EVENT_YEARS = (1800, 2100)
_LANG_TAG = re.compile(
    r"^(?P<primary>[a-z]{2})(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?(-[a-z0-9]{5,8})*$"
)


def _load_languages() -> frozenset[str]:
    path = Path(__file__).resolve().parents[1] / "data" / "iso639-1.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


#: ISO 639-1 codes accepted as the primary subtag of a language tag.
LANGUAGES = _load_languages()


@dataclass
class ReadSource:
    """What one authoring file says, with where each statement was written.

    Attributes
    ----------
    path : the file
    source_id : the local id of the source document (the ``source:`` node)
    graph : the triples, parsed by rdflib's JSON-LD parser
    lines : line of each (subject, predicate) and of each subject (predicate ``None``)
    defined : local ids of nodes defined in this file, with their line
    mentions : placeholder id → (text, line) of institutions named rather than given by id
        (``host: Шэньянский технологический университет``, ``party: https://ror.org/00d7f8730``);
        the builder resolves them against the registry
    """

    path: Path
    source_id: str
    graph: Graph
    lines: dict[tuple[URIRef, URIRef | None], int] = field(default_factory=dict)
    defined: dict[str, int] = field(default_factory=dict)
    mentions: dict[str, tuple[str, int]] = field(default_factory=dict)


class _Terms:
    """The authoring vocabulary, read from the JSON-LD context."""

    def __init__(self, context: dict, ontology: Graph) -> None:
        ctx = context["@context"]
        self.prefixes = {k: v for k, v in ctx.items() if isinstance(v, str) and v.endswith(("#", "/"))}
        self.classes: dict[str, str] = {}
        self.individuals: set[str] = set()
        self.properties: dict[str, dict] = {}
        for key, value in ctx.items():
            if key.startswith("@") or key in ("id", "type") or key in self.prefixes:
                continue
            if isinstance(value, dict):
                self.properties[key] = value
            elif key[:1].isupper():
                self.classes[key] = value
        owl_classes = set(ontology.subjects(RDF.type, OWL.Class))
        for key in list(self.classes):
            if self.expand(self.classes[key]) not in owl_classes:
                self.individuals.add(key)
                del self.classes[key]
        self.keys = sorted(set(self.properties) | {"id", "type"})
        dated = {URIRef(ns + "PartialDate"), URIRef(ns + "Timestamp")} if (ns := self.prefixes.get("coop")) else set()
        self.date_keys = {
            key for key, definition in self.properties.items()
            if "@id" in definition and ontology.value(self.expand(definition["@id"]), RDFS.range) in dated
        }
        institution = URIRef(ns + "Institution") if ns else None
        self.institution_keys = {
            key for key, definition in self.properties.items()
            if "@id" in definition and ontology.value(self.expand(definition["@id"]), RDFS.range) == institution
        }

    def expand(self, curie: str) -> URIRef:
        prefix, _, local = curie.partition(":")
        return URIRef(self.prefixes[prefix] + local) if prefix in self.prefixes else URIRef(curie)


_TERMS: _Terms | None = None


def _terms() -> _Terms:
    global _TERMS
    if _TERMS is None:
        _TERMS = _Terms(resources.context(), resources.vocabulary())
    return _TERMS


def _suggest(word: str, choices: list[str] | set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    if not close:
        lower = {c.lower(): c for c in choices}
        close = difflib.get_close_matches(word.lower(), sorted(lower), n=1, cutoff=0.6)
        close = [lower[c] for c in close]
    return f" — did you mean '{close[0]}'?" if close else ""


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.terms = _terms()
        self.lines: dict[tuple[URIRef, URIRef | None], int] = {}
        self.defined: dict[str, int] = {}
        self.mentions: dict[str, tuple[str, int]] = {}

    def fail(self, node: yaml.Node | None, message: str) -> SourceError:
        line = node.start_mark.line + 1 if node is not None else None
        return SourceError(self.path, line, message)

    # -- nodes -------------------------------------------------------------------------------

    def node(self, ynode: yaml.Node, default_id: str, *, what: str = "an entity") -> dict:
        if not isinstance(ynode, yaml.MappingNode):
            raise self.fail(ynode, f"expected {what} (a mapping of keys), found {_kind(ynode)}")
        out: dict[str, object] = {}
        pairs = []
        seen: set[str] = set()
        kind = next(
            (v.value for k, v in ynode.value if getattr(k, "value", None) == "type" and isinstance(v, yaml.ScalarNode)),
            None,
        )
        where = f" in {'an' if kind and kind[:1] in 'AEIOU' else 'a'} {kind}" if kind else ""
        for key_node, value_node in ynode.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                raise self.fail(key_node, "keys are plain words")
            if key in seen:
                raise self.fail(key_node, f"key '{key}' is written twice{where} — keep one")
            seen.add(key)
            if key not in self.terms.keys:
                raise self.fail(key_node, f"unknown key '{key}'{where}{_suggest(key, self.terms.keys)}")
            pairs.append((key, key_node, value_node))
        local = default_id
        for key, key_node, value_node in pairs:
            if key == "id":
                local = self.id_value(value_node)
                if local in self.defined:
                    raise self.fail(
                        key_node,
                        f"duplicate id '{local}' (first defined on line {self.defined[local]}) — give each entity its own id",
                    )
        self.defined[local] = ynode.start_mark.line + 1
        subject = ids.entity(local)
        self.lines[(subject, None)] = ynode.start_mark.line + 1
        out["id"] = local
        for key, key_node, value_node in pairs:
            if key == "id":
                continue
            if key == "type":
                out["type"] = self.types(value_node)
                continue
            definition = self.terms.properties[key]
            if "@reverse" in definition:
                predicate = self.terms.expand(definition["@reverse"])
            else:
                predicate = self.terms.expand(definition["@id"])
            self.lines.setdefault((subject, predicate), key_node.start_mark.line + 1)
            out[key] = self.value(key, definition, value_node, local)
        if "type" not in out:
            raise self.fail(ynode, f"'{local}' has no 'type' — add e.g. 'type: University' (see ontology/context.jsonld)")
        return out

    def id_value(self, ynode: yaml.Node) -> str:
        text = self.scalar(ynode, "an id")
        if not ids.ID_PATTERN.match(text):
            raise self.fail(ynode, f"id '{text}' is not lower-case letters, digits and hyphens — write e.g. 'lstu-visit-2023-09'")
        return text

    def types(self, ynode: yaml.Node) -> list[str]:
        items = ynode.value if isinstance(ynode, yaml.SequenceNode) else [ynode]
        out = []
        for item in items:
            name = self.scalar(item, "a type")
            if name not in self.terms.classes:
                raise self.fail(item, f"unknown type '{name}'{_suggest(name, set(self.terms.classes))}")
            out.append(name)
        return out

    def scalar(self, ynode: yaml.Node, what: str) -> str:
        if not isinstance(ynode, yaml.ScalarNode) or ynode.value == "" and ynode.style is None:
            raise self.fail(ynode, f"expected {what}, found {_kind(ynode)}")
        return ynode.value

    # -- values ------------------------------------------------------------------------------

    def value(self, key: str, definition: dict, ynode: yaml.Node, parent: str) -> object:
        if definition.get("@container") == "@language":
            return self.language_map(key, ynode)
        items = ynode.value if isinstance(ynode, yaml.SequenceNode) else [ynode]
        values = [self.one_value(key, definition, item, parent, i + 1) for i, item in enumerate(items)]
        return values if isinstance(ynode, yaml.SequenceNode) else values[0]

    def one_value(self, key: str, definition: dict, ynode: yaml.Node, parent: str, index: int) -> object:
        kind = definition.get("@type")
        if kind in ("@id", "@vocab") and isinstance(ynode, yaml.MappingNode):
            return self.node(ynode, ids.nested(parent, key, index), what=f"a '{key}' entity or an id")
        if kind == "@id":
            text = self.scalar(ynode, f"an id for '{key}'")
            if key in self.terms.institution_keys and _is_mention(text):
                placeholder = f"{parent}-{key.lower()}-mention-{index}"
                self.mentions[placeholder] = (text, ynode.start_mark.line + 1)
                return placeholder
            if re.match(r"^[a-z][a-z0-9+.-]*://", text):
                return text
            if not ids.REFERENCE_PATTERN.match(text):
                raise self.fail(
                    ynode, f"'{text}' is not an id (lower-case letters, digits, hyphens) or an IRI — fix the reference"
                )
            return text
        if kind == "@vocab":
            text = self.scalar(ynode, f"a term for '{key}'")
            if text not in self.terms.individuals:
                raise self.fail(ynode, f"unknown value '{text}' for '{key}'{_suggest(text, self.terms.individuals)}")
            return text
        text = self.scalar(ynode, f"a value for '{key}'")
        if kind is None:
            return self.date(key, ynode, text) if key in self.terms.date_keys else text
        datatype = kind.split(":", 1)[-1]
        return self.typed(key, ynode, text, datatype)

    def date(self, key: str, ynode: yaml.Node, text: str) -> dict:
        for pattern, datatype in _DATE_FORMS:
            if pattern.match(text):
                try:
                    _check_date(text, datatype)
                except ValueError:
                    break
                if datatype == "dateTime" and key != "issued":
                    break
                first, last = YEARS.get(key, EVENT_YEARS)
                if not first <= int(text[:4]) <= last:
                    raise self.fail(
                        ynode, f"'{text}' for '{key}' is outside the years coopgraph reads ({first}–{last}) — check the year"
                    )
                if datatype == "dateTime" and text.count(":") == 1:
                    text += ":00"
                return {"@value": text, "@type": _XSD + datatype}
        raise self.fail(ynode, f"malformed date '{text}' for '{key}' — write YYYY-MM-DD, YYYY-MM or YYYY")

    def typed(self, key: str, ynode: yaml.Node, text: str, datatype: str) -> str:
        ok = True
        if datatype == "boolean":
            ok = text in ("true", "false")
        elif datatype in ("integer", "nonNegativeInteger"):
            ok = re.fullmatch(r"[+-]?\d+", text) is not None and not (datatype == "nonNegativeInteger" and int(text) < 0)
        elif datatype == "decimal":
            try:
                Decimal(text)
                ok = re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text) is not None
            except InvalidOperation:
                ok = False
        elif datatype == "language":
            self.language_tag(ynode, text)
        if not ok:
            example = _EXAMPLES.get(datatype, "...")
            raise self.fail(ynode, f"'{text}' is not a {datatype} value for '{key}' — write e.g. {example}")
        return text

    def language_map(self, key: str, ynode: yaml.Node) -> dict:
        if not isinstance(ynode, yaml.MappingNode):
            raise self.fail(ynode, f"'{key}' is text per language — write '{key}: {{ru: ..., en: ...}}'")
        out: dict[str, object] = {}
        for lang_node, text_node in ynode.value:
            lang = self.language_tag(lang_node, self.scalar(lang_node, "a language tag"))
            if isinstance(text_node, yaml.SequenceNode):
                out[lang] = [self.scalar(t, f"text for '{key}'") for t in text_node.value]
            else:
                out[lang] = self.scalar(text_node, f"text for '{key}'")
        return out

    def language_tag(self, ynode: yaml.Node, tag: str) -> str:
        match = _LANG_TAG.match(tag)
        if not match or match.group("primary") not in LANGUAGES:
            raise self.fail(ynode, f"unknown language tag '{tag}' — use a BCP 47 tag such as ru, en, zh, zh-Hans")
        return tag.lower()  # tags are case-insensitive; lower case is what Oxigraph and most stores keep


_EXAMPLES = {"boolean": "true or false", "integer": "5", "nonNegativeInteger": "5", "decimal": "41.12", "language": "ru"}


_IDENTIFIER_URL = re.compile(r"^https?://(www\.)?(ror\.org|wikidata\.org)/", re.IGNORECASE)


def _is_mention(text: str) -> bool:
    """Whether a reference to an institution names it (a name, an acronym, a ROR or Wikidata URL)."""
    return not ids.REFERENCE_PATTERN.match(text) and (
        _IDENTIFIER_URL.match(text) is not None or not re.match(r"^[a-z][a-z0-9+.-]*:", text)
    )


def _check_date(text: str, datatype: str) -> None:
    if datatype == "dateTime":
        _dt.datetime.fromisoformat(text)
    elif datatype == "date":
        _dt.date.fromisoformat(text)
    elif datatype == "gYearMonth":
        _dt.date.fromisoformat(text + "-01")


def _kind(ynode: yaml.Node | None) -> str:
    if isinstance(ynode, yaml.MappingNode):
        return "a mapping"
    if isinstance(ynode, yaml.SequenceNode):
        return "a list"
    if isinstance(ynode, yaml.ScalarNode):
        return f"'{ynode.value}'" if ynode.value else "nothing"
    return "nothing"


def read_yaml_ld(path: str | Path) -> ReadSource:
    """Read one authoring file into a graph, checking every key and value first.

    Parameters
    ----------
    path : a ``.yaml`` file with ``source:`` and ``graph:``

    Returns
    -------
    ReadSource
        the triples and the line of each statement

    Raises
    ------
    SourceError
        with the file, the line and what to do, for any mistake in the file
    """
    path = Path(path)
    text = read_text(path)
    root = compose_yaml(path, text)
    if root is None or (isinstance(root, yaml.ScalarNode) and root.value == ""):
        raise SourceError(path, 1, "the file is empty — write 'source:' and 'graph:' (see data/sources/ for an example)")
    reader = _Reader(path)
    if not isinstance(root, yaml.MappingNode):
        raise reader.fail(root, "expected 'source:' and 'graph:' at the top of the file")
    top: dict[str, yaml.Node] = {}
    for key_node, value_node in root.value:
        if key_node.value not in _TOP_KEYS:
            hint = _suggest(key_node.value, list(_TOP_KEYS)) or " — expected 'source' and 'graph'"
            raise reader.fail(key_node, f"unknown top-level key '{key_node.value}'{hint}")
        top[key_node.value] = value_node
    if "source" not in top:
        raise reader.fail(root, "no 'source:' — describe the document these facts come from")
    source = reader.node(top["source"], "", what="the source document")
    if not source["id"]:
        raise reader.fail(top["source"], "the source has no 'id' — add e.g. 'id: source-lstu-2023-09-18'")
    nodes = [source]
    graph_node = top.get("graph")
    if graph_node is not None and not (isinstance(graph_node, yaml.ScalarNode) and graph_node.value == ""):
        if not isinstance(graph_node, yaml.SequenceNode):
            raise reader.fail(graph_node, "'graph:' is a list of entities (each item starts with '- id: ...')")
        for i, item in enumerate(graph_node.value):
            nodes.append(reader.node(item, f"{source['id']}-{i + 1}"))
    document = {"@context": resources.context()["@context"], "@graph": nodes}
    graph = Graph()
    graph.parse(data=json.dumps(document, ensure_ascii=False), format="json-ld")
    return ReadSource(
        path=path, source_id=str(source["id"]), graph=graph, lines=reader.lines, defined=reader.defined,
        mentions=reader.mentions,
    )
