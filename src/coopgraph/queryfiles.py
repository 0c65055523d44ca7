"""The ``.rq`` files of ``queries/``: the one loader, their grlc-style header, their parameters' values.

A query file holds one query. A header in grlc's style says what it answers, which parameters it
takes and which columns it returns; its own PREFIX lines follow, so the file runs unchanged in any
SPARQL tool::

    #+ summary: Institutions that cooperate with a given institution.
    #+ params: institution (institution, required); since (gYear, optional, default 1900)
    #+ returns: partner partnerLabel kinds firstYear lastYear
    PREFIX coop: <https://w3id.org/coopgraph/ns#>
    SELECT ...

The files of the derivation say two things more: ``#+ reads: derived`` (the file reads what the
first stage derived, so it runs in the second) and, for an order file, ``#+ numbers: coop:visitOrder``
(the property that holds its numbers). Every module that runs a shipped file — the query library,
the derivation, the network views, the timeline, the resolver's names — loads it here, by name
(``partners``, ``rules/cooperation-visits``, ``network/events``, ``identity/institution-names``): each
file is read and its header parsed once per process.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from coopgraph import ids, resources, sparqltext
from coopgraph.errors import QueryError
from coopgraph.namespaces import PREFIXES

__all__ = [
    "PARAM_TYPES",
    "Param",
    "Query",
    "parse_query",
    "load_query",
    "list_queries",
    "resolve_iri",
    "value_term",
    "query_form",
    "did_you_mean",
]

#: Types a parameter may declare, with what a value looks like.
PARAM_TYPES = {
    "IRI": "an id such as lstu, a prefixed name such as coop:Planned, or a full IRI",
    "institution": "an institution: its id, IRI, ROR id, Wikidata id, acronym or any name in any language",
    "string": "any text",
    "gYear": "a year, YYYY",
    "date": "a date, YYYY-MM-DD",
    "integer": "a whole number",
}

_HEADER_KEYS = ("summary", "params", "returns", "tags", "reads", "numbers")
#: The query forms, and a word of SPARQL (a keyword or a name), as the scanners of the text read them.
FORMS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


@dataclass(frozen=True)
class Param:
    """A parameter of a query: a variable the caller binds.

    Attributes
    ----------
    name : the variable's name, without ``?``
    type : one of :data:`PARAM_TYPES`
    required : whether a value must be given
    default : the value used when none is given (text, as a caller would write it)
    values : the only values it takes (``one of a b c`` in the header); empty: any of its type
    """

    name: str
    type: str
    required: bool
    default: str | None = None
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        need = "required" if self.required else "optional"
        values = f", one of {' '.join(self.values)}" if self.values else ""
        default = f", default {self.default}" if self.default is not None else ""
        return f"{self.name} ({self.type}, {need}{values}{default})"


@dataclass(frozen=True)
class Query:
    """A SPARQL query and what its header says about it.

    Attributes
    ----------
    name : the file's stem (``partners``), or its folder and stem under ``queries/``
        (``rules/cooperation-visits``), a path for other files, ``-e`` for text given inline
    text : the query as written, header included
    summary : one line on what it answers
    params : its parameters, in the order of the header
    returns : the columns it returns (for a SELECT), as the header lists them
    path : the file it was read from, if any
    tags : grlc's tags, if the header gives any
    reads : a file of the derivation: ``derived`` when it reads what the first stage derived
    numbers : an order file of the derivation: the property that holds its numbers (``coop:visitOrder``)
    """

    name: str
    text: str
    summary: str = ""
    params: tuple[Param, ...] = ()
    returns: tuple[str, ...] = ()
    path: Path | None = None
    tags: tuple[str, ...] = field(default=())
    reads: str = ""
    numbers: str = ""

    def param(self, name: str) -> Param | None:
        """The parameter called ``name``, or None."""
        return next((p for p in self.params if p.name == name), None)

    @property
    def form(self) -> str | None:
        """SELECT, CONSTRUCT, ASK or DESCRIBE (None when the text has none of them)."""
        return query_form(self.text)

    def signature(self) -> str:
        """The parameters as the header writes them ("none" when there are none)."""
        return "; ".join(str(p) for p in self.params) or "none"


# ---------------------------------------------------------------------------------------- the header

_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(?P<type>[A-Za-z]+)\s*,\s*(?P<need>required|optional)"
    r"\s*(?:,\s*one of\s+(?P<values>[^,)]+?))?"
    r"\s*(?:,\s*default\s+(?P<default>[^)]*?))?\s*\)$"
)


def parse_query(text: str, *, name: str = "-e", path: Path | None = None) -> Query:
    """Read a query's ``#+`` header; the SPARQL itself is parsed when the query runs.

    Parameters
    ----------
    text : the query, with or without a header
    name : how errors name the query
    path : the file it came from, if any

    Returns
    -------
    Query

    Raises
    ------
    QueryError
        for a header line that cannot be read, a parameter that is not a variable of the query, or
        a default that does not fit its parameter's type

    Examples
    --------
    >>> q = parse_query("#+ params: since (gYear, optional, default 1900)\\nSELECT ?since WHERE {}")
    >>> q.params
    (Param(name='since', type='gYear', required=False, default='1900'),)
    """
    header: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#+"):
            continue
        key, colon, value = line[2:].partition(":")
        key = key.strip()
        where = f"line {number}"
        if not colon or key not in _HEADER_KEYS:
            hint = did_you_mean(key, _HEADER_KEYS) or f" (header keys: {', '.join(_HEADER_KEYS)})"
            raise QueryError(name, f"{where}: cannot read header line '{line.strip()}'{hint}")
        header[key] = (header[key] + " " + value.strip()) if key in header else value.strip()
    params = tuple(_parse_param(name, item.strip()) for item in header.get("params", "").split(";") if item.strip())
    query = Query(
        name=name,
        text=text,
        summary=header.get("summary", ""),
        params=params,
        returns=tuple(header.get("returns", "").split()),
        path=path,
        tags=tuple(t.strip() for t in header.get("tags", "").split(",") if t.strip()),
        reads=header.get("reads", ""),
        numbers=header.get("numbers", ""),
    )
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise QueryError(name, f"a parameter is declared twice in '#+ params: {header['params']}'")
    body = sparqltext.strip_comments(text)
    for param in params:
        if not re.search(rf"[?$]{re.escape(param.name)}\b", body):
            raise QueryError(
                name, f"parameter '{param.name}' is not a variable of the query — use ?{param.name} or remove it from '#+ params'"
            )
        if param.default is not None:
            value_term(name, param, param.default)  # a bad default is the query's fault, found on load
    return query


def _parse_param(name: str, item: str) -> Param:
    match = _PARAM.match(item)
    if not match:
        raise QueryError(
            name, f"cannot read parameter '{item}' — write 'name (TYPE, required)' or "
            "'name (TYPE, optional, one of A B C, default VALUE)'"
        )
    kind = match["type"]
    if kind not in PARAM_TYPES:
        hint = did_you_mean(kind, PARAM_TYPES)
        raise QueryError(name, f"parameter '{match['name']}' has unknown type '{kind}'{hint} (types: {', '.join(PARAM_TYPES)})")
    default = match["default"].strip() if match["default"] is not None else None
    values = tuple(match["values"].split()) if match["values"] else ()
    return Param(match["name"], kind, match["need"] == "required", default, values)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` — did you mean 'x'?`` for the choices closest to ``word``, or ``""`` when none is close.

    >>> did_you_mean("parms", ["summary", "params"])
    " — did you mean 'params'?"
    """
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.5)
    if not close:
        return ""
    quoted = [f"'{c}'" for c in close]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f" — did you mean {listed}?"


def query_form(text: str) -> str | None:
    """The form of a query: SELECT, CONSTRUCT, ASK or DESCRIBE (the first outside comments, strings and IRIs).

    >>> query_form("# SELECT in a comment\\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    """
    i = 0
    while i < len(text):
        end = sparqltext.skip(text, i)
        if end is not None:
            i = end
            continue
        match = WORD.match(text, i)
        if match and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_-")):
            if match.group().upper() in FORMS and text[match.end():match.end() + 1] != ":":
                return match.group().upper()
            i = match.end()
            continue
        i += 1
    return None


# ---------------------------------------------------------------------------------------- loading


def load_query(name_or_path: str | Path) -> Query:
    """A query of ``queries/`` by name (``partners``, ``rules/cooperation-visits``, ``network/events``,
    ``identity/institution-names``), or a ``.rq`` file.

    A shipped file is read and parsed once per process; a file given by its path is read at each call.

    Raises
    ------
    QueryError
        for an unknown name (suggesting the closest ones) or a file that does not exist
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith(".rq"):
        path = Path(text)
        if not path.is_file():
            raise QueryError(text, "no such file — check the path")
        return _read(path, text)
    return _shipped(text)


@functools.cache
def _shipped(name: str) -> Query:
    folder = resources.queries_dir()
    path = (folder / f"{name}.rq").resolve()
    if ".." in Path(name).parts or not path.is_file() or folder.resolve() not in path.parents:
        known = [p.stem for p in folder.glob("*.rq")]
        hint = did_you_mean(name, known) or " — 'coopgraph queries' lists the library"
        raise QueryError(name, f"no such query{hint}")
    return _read(path, name)


def list_queries(folder: str = "") -> list[Query]:
    """The queries of a folder of ``queries/``, sorted by name; by default the library (``queries/*.rq``).

    The rules in ``queries/rules/`` and the queries other modules keep in subfolders are not in the
    library; ``list_queries("rules")`` lists them, named as :func:`load_query` loads them
    (``rules/cooperation-visits``). A folder that does not exist lists nothing.
    """
    where = resources.queries_dir().joinpath(*folder.split("/")) if folder else resources.queries_dir()
    prefix = f"{folder.strip('/')}/" if folder else ""
    return [_shipped(prefix + path.stem) for path in sorted(where.glob("*.rq"))]


def _read(path: Path, name: str) -> Query:
    return parse_query(path.read_text(encoding="utf-8"), name=name, path=path)


# ---------------------------------------------------------------------------------------- values


def resolve_iri(text: str) -> URIRef:
    """The IRI a caller means: an id (``lstu``), a prefixed name (``coop:Planned``) or a full IRI.

    >>> resolve_iri("lstu")
    rdflib.term.URIRef('https://w3id.org/coopgraph/id/lstu')
    >>> resolve_iri("coop:Planned")
    rdflib.term.URIRef('https://w3id.org/coopgraph/ns#Planned')

    Raises
    ------
    ValueError
        for text that is none of these (a space, a quote or an angle bracket inside, for instance)
    """
    value = text.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if ids.REFERENCE_PATTERN.fullmatch(value):
        return ids.entity(value)
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//") and re.fullmatch(r"[^\s<>\"{}|\\^`]*", local):
        return URIRef(PREFIXES[prefix] + local)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+", value):
        return URIRef(value)
    raise ValueError(f"'{text}' is not an id (lstu), a prefixed name (cgid:lstu) or an IRI (https://...)")


def value_term(name: str, param: Param, text: str) -> Node:
    """A parameter's value as an RDF term, without looking at any data.

    An ``institution`` is then taken as an IRI (:func:`resolve_iri`); naming one (ЛГТУ, LSTU, a ROR id)
    needs the graph it is in: :func:`coopgraph.queries.bind_parameters` resolves it there.

    Parameters
    ----------
    name : the query's name, for the error
    param : the parameter
    text : the value as a caller writes it

    Raises
    ------
    QueryError
        for a value that does not fit the parameter's type

    Examples
    --------
    >>> value_term("-e", Param("since", "gYear", False), "2023").n3()
    '"2023"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    """
    if param.values and text.strip() not in param.values:
        raise QueryError(name, f"parameter {param.name}: '{text}' is not one of {', '.join(param.values)}"
                               f"{did_you_mean(text.strip(), param.values)}")
    try:
        if param.type in ("IRI", "institution"):
            return resolve_iri(text)
        if param.type == "gYear":
            if not re.fullmatch(r"-?\d{4}", text.strip()):
                raise ValueError(f"'{text}' is not a year (YYYY)")
            return Literal(text.strip(), datatype=XSD.gYear)
        if param.type == "date":
            _dt.date.fromisoformat(text.strip())
            return Literal(text.strip(), datatype=XSD.date)
        if param.type == "integer":
            return Literal(int(text.strip()))
        return Literal(text)
    except ValueError as exc:
        reason = str(exc) if param.type in ("IRI", "institution", "gYear") else f"'{text}' is not {PARAM_TYPES[param.type]}"
        raise QueryError(name, f"parameter {param.name}: {reason}") from None
