"""The query library: named SPARQL queries in ``queries/*.rq``, their parameters, running and formatting.

A query file holds one query and a header in grlc's style (:mod:`coopgraph.queryfiles` reads both)::

    #+ summary: Institutions that cooperate with a given institution.
    #+ params: institution (institution, required); since (gYear, optional, default 1900)
    #+ returns: partner partnerLabel kinds firstYear lastYear
    PREFIX coop: <https://w3id.org/coopgraph/ns#>
    SELECT ...

Parameters are variables of the query. Their values are never pasted into the text as written:
each value becomes an RDF term (``URIRef``, ``Literal``), written in SPARQL syntax into a
``VALUES`` block at the start of each WHERE group (the query's, or a subquery's) that uses the
variable. Any SPARQL 1.1 engine runs the resulting text (see :func:`query_text`); :func:`run_query`
runs it with rdflib, over the union of a dataset's graphs.
"""

from __future__ import annotations

import io
import re
import textwrap
import unicodedata
from collections.abc import Callable, Mapping, Sequence

from pyparsing import ParseException
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result
from rdflib.term import Node

from coopgraph import choices, ids, resolve, sparqltext
from coopgraph.dataset import bind_prefixes
from coopgraph.errors import QueryError
from coopgraph.namespaces import PREFIXES
from coopgraph.queryfiles import FORMS as _FORMS
from coopgraph.queryfiles import PARAM_TYPES, Param, Query, list_queries, load_query, parse_query, resolve_iri, value_term
from coopgraph.queryfiles import WORD as _WORD
from coopgraph.queryfiles import did_you_mean as _did_you_mean
from coopgraph.resolve import ResolutionError
from coopgraph.stores import Store, StoreSyntaxError

__all__ = [
    "FORMATS",
    "PARAM_TYPES",
    "Param",
    "Query",
    "list_queries",
    "load_query",
    "parse_query",
    "resolve_institution",
    "resolve_iri",
    "bind_parameters",
    "query_text",
    "run_query",
    "format_result",
    "page_note",
    "query_sources",
    "library_listing",
]

#: Output formats of :func:`format_result`: a readable table, the SPARQL results formats for
#: SELECT and ASK, and RDF for CONSTRUCT and DESCRIBE.
FORMATS = choices.RESULT_FORMATS
_TABLE_FORMATS = {"json", "xml", "csv", "tsv"}
_GRAPH_FORMATS = {"turtle", "jsonld"}

#: Width at which the table format cuts a cell (the other formats keep every character).
_CELL_WIDTH = 60


# ---------------------------------------------------------------------------------------- parameters


def resolve_institution(text: str, store: Store | None = None) -> URIRef:
    """The institution a caller means, for every parameter of type ``institution``.

    With a ``store`` the mention goes through :class:`coopgraph.resolve.Resolver`: an id,
    a ROR or Wikidata id, an acronym or any name in any language and inflection (ЛГТУ, Липецкого
    Политеха, LSTU, https://ror.org/006fh5g40 → lstu). Without one, only what :func:`resolve_iri` accepts.

    >>> resolve_institution("https://w3id.org/coopgraph/id/ustl")
    rdflib.term.URIRef('https://w3id.org/coopgraph/id/ustl')

    Raises
    ------
    ValueError
        when the mention is ambiguous (the candidates are listed) or unknown (the closest names)
    """
    if store is None:
        return resolve_iri(text)
    try:
        return resolve.institution(store, text)
    except ResolutionError as exc:
        raise ValueError(str(exc)) from None


#: Passed as ``store`` to check parameters before there is data to resolve institution names in
#: (the command line before it reads the sources, the endpoint before a worker resolves them).
DEFERRED = object()


def _term(query: Query, param: Param, text: str, store: Store | object | None = None) -> Node:
    """A parameter's value as an RDF term; a value that does not fit its type is a QueryError."""
    if param.type != "institution" or store is None:
        return value_term(query.name, param, text)
    try:
        if store is DEFERRED:  # checked before the data is there: resolved when the query runs
            return ids.entity("institution") if text.strip() else resolve_iri(text)
        return resolve_institution(text, store)  # type: ignore[arg-type]
    except ValueError as exc:
        raise QueryError(query.name, f"parameter {param.name}: {exc}") from None


def bind_parameters(
    query: Query, params: Mapping[str, str] | None = None, *, store: Store | object | None = None
) -> dict[str, Node | None]:
    """Each declared parameter's value as an RDF term (None leaves an optional parameter unbound).

    Defaults fill in what is not given. With ``store``, an ``institution`` may be named (see
    :func:`resolve_institution`).

    Raises
    ------
    QueryError
        for an unknown parameter, a missing required one, or a value that does not fit its type;
        the message lists the query's parameters

    Examples
    --------
    >>> q = parse_query("#+ params: since (gYear, optional, default 1900)\\nSELECT ?since WHERE {}")
    >>> bind_parameters(q)["since"].n3()
    '"1900"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    """
    params = dict(params or {})
    declared = [p.name for p in query.params]
    for name in params:
        if name not in declared:
            hint = _did_you_mean(name, declared)
            raise QueryError(query.name, f"unknown parameter '{name}'{hint} (parameters: {query.signature()})")
    bound: dict[str, Node | None] = {}
    for param in query.params:
        if param.name in params:
            bound[param.name] = _term(query, param, params[param.name], store)
        elif param.required:
            raise QueryError(
                query.name,
                f"missing parameter '{param.name}' — give it with --param {param.name}=VALUE (parameters: {query.signature()})",
            )
        elif param.default is not None:
            bound[param.name] = _term(query, param, param.default)
        else:
            bound[param.name] = None
    return bound


# ---------------------------------------------------------------------------------------- binding into the text


def _where_groups(text: str) -> list[tuple[int, int]]:
    """Where the WHERE group of the query and of each subquery begins and ends.

    Each span runs from just inside the group's ``{`` to its closing ``}``. A small scanner, not a
    parser: it skips comments, strings, IRIs and names, tracks braces and parentheses, and for each
    query form keyword (SELECT, CONSTRUCT, ASK, DESCRIBE) takes the first ``{`` at the keyword's own
    level, after the template for CONSTRUCT. A group that holds nothing but a subquery is left to
    the subquery.
    """
    found: list[list[int]] = []
    open_groups: list[tuple[int, list[int]]] = []  # (depth inside the group, its span)
    waiting: list[dict] = []  # query forms whose group is still to come
    depth = parens = 0
    i = 0
    while i < len(text):
        end = sparqltext.skip(text, i)
        if end is not None:
            i = end
            continue
        c = text[i]
        if c == "(":
            parens += 1
        elif c == ")":
            parens -= 1
        elif c == "{":
            if waiting and waiting[-1]["depth"] == depth and waiting[-1]["parens"] == parens:
                form = waiting[-1]
                if form["template"]:
                    form["template"] = False
                else:
                    waiting.pop()
                    after = _WORD.match(text, _next_token(text, i + 1))
                    if not (after and after.group().upper() == "SELECT"):
                        span = [i + 1, len(text)]
                        found.append(span)
                        open_groups.append((depth + 1, span))
            depth += 1
        elif c == "}":
            if open_groups and open_groups[-1][0] == depth:
                open_groups.pop()[1][1] = i
            depth -= 1
        else:
            match = _WORD.match(text, i)
            if match and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_-")):
                word = match.group().upper()
                if match.end() < len(text) and text[match.end()] == ":":  # a prefixed name such as select:x
                    i = sparqltext.NAME_CHARS.match(text, match.end()).end()  # type: ignore[union-attr]
                    continue
                if word in _FORMS:
                    waiting.append({"form": word, "depth": depth, "parens": parens, "template": word == "CONSTRUCT"})
                elif waiting and waiting[-1]["depth"] == depth:
                    form = waiting[-1]
                    if word == "WHERE" and form["template"]:
                        waiting.pop()  # CONSTRUCT WHERE { ... }: the template is the pattern
                    elif form["form"] == "DESCRIBE" and word in ("VALUES", "ORDER", "LIMIT", "OFFSET"):
                        waiting.pop()  # DESCRIBE without a WHERE group
                i = match.end()
                continue
        i += 1
    return [(start, stop) for start, stop in found]


def _uses(text: str, spans: list[tuple[int, int]], index: int, name: str) -> bool:
    """Whether group ``index`` mentions ``?name`` itself, outside the subqueries it holds."""
    start, stop = spans[index]
    own, cursor = [], start
    for inner_start, inner_stop in spans[index + 1:]:
        if start <= inner_start and inner_stop <= stop:
            if inner_start >= cursor:
                own.append(text[cursor:inner_start])
                cursor = inner_stop
    own.append(text[cursor:stop])
    return re.search(rf"[?$]{re.escape(name)}\b", sparqltext.strip_comments("".join(own))) is not None


def _next_token(text: str, i: int) -> int:
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text[i] == "#":
            i = sparqltext.skip(text, i) or len(text)
        else:
            break
    return i


_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _sparql(term: Node) -> str:
    """A term as SPARQL text: ``n3()`` for IRIs; literals with every control character escaped.

    rdflib's own ``Literal.n3()`` leaves tabs as they are, and rdflib's SPARQL parser (pyparsing)
    turns a raw tab into spaces: the value would change on the way in.
    """
    if not isinstance(term, Literal):
        return term.n3()
    text = "".join(_ECHAR.get(ch) or (f"\\u{ord(ch):04X}" if ord(ch) < 0x20 or ch == "\x7f" else ch) for ch in str(term))
    if term.language:
        return f'"{text}"@{term.language}'
    if term.datatype and term.datatype != XSD.string:
        return f'"{text}"^^<{term.datatype}>'
    return f'"{text}"'


def _values_block(bound: Mapping[str, Node | None]) -> str:
    names = " ".join(f"?{name}" for name in bound)
    values = " ".join("UNDEF" if term is None else _sparql(term) for term in bound.values())
    return f" VALUES ({names}) {{ ({values}) }} "


def query_text(query: Query, params: Mapping[str, str] | None = None, *, store: Store | object | None = None) -> str:
    """The query's text with its parameters bound, ready for any SPARQL 1.1 engine.

    Each value is an RDF term (``URIRef``, ``Literal``) written in SPARQL syntax, placed in a ``VALUES`` block at the
    start of each WHERE group (the query's or a subquery's) that uses the variable, or of the query's
    own group when none does. No newline is added, so line numbers stay those of the file.

    Raises
    ------
    QueryError
        as :func:`bind_parameters`, or when the query has parameters but no WHERE group to bind them in

    Examples
    --------
    >>> q = parse_query("#+ params: name (string, required)\\nSELECT ?name WHERE {}")
    >>> print(query_text(q, {"name": 'x" } DROP ALL #'}))
    #+ params: name (string, required)
    SELECT ?name WHERE { VALUES (?name) { ("x\\" } DROP ALL #") } }
    """
    bound = bind_parameters(query, params, store=store)
    if not bound:
        return query.text
    spans = _where_groups(query.text)
    if not spans:
        raise QueryError(query.name, "has parameters but no WHERE group to bind them in")
    blocks: dict[int, dict[str, Node | None]] = {}
    for name, term in bound.items():
        using = [i for i in range(len(spans)) if _uses(query.text, spans, i, name)] or [0]
        for i in using:
            blocks.setdefault(i, {})[name] = term
    text = query.text
    for i in sorted(blocks, reverse=True):
        offset = spans[i][0]
        text = text[:offset] + _values_block(blocks[i]) + text[offset:]
    return text


# ---------------------------------------------------------------------------------------- running


def _explain_syntax_error(query: Query, text: str) -> None:
    """Raise the QueryError that names where the text as written does not parse (rdflib's parser gives the
    line and column); return when rdflib reads it (the store's engine refused something else)."""
    try:
        prepareQuery(text, initNs=PREFIXES)
        return
    except ParseException:
        pass
    except Exception as exc:  # rdflib reports an undeclared prefix and the like as a bare Exception
        hint = "declare it with PREFIX" if "prefix" in str(exc).lower() else "fix the query"
        raise QueryError(query.name, f"{exc} — {hint}") from None
    try:  # report the position in the text as written, not as bound
        prepareQuery(query.text, initNs=PREFIXES)
    except ParseException as exc:
        near = exc.line.strip()
        near = near if len(near) <= 60 else near[:57] + "..."
        where = f" ({query.path}:{exc.lineno}:{exc.col})" if query.path else ""
        raise QueryError(
            query.name, f"SPARQL syntax error at line {exc.lineno}, column {exc.col}, near '{near}'{where}"
        ) from None
    raise QueryError(query.name, "the query does not parse once its parameters are bound — report this as a bug")


def run_query(store: Store, query: Query | str, params: Mapping[str, str] | None = None) -> Result:
    """Run a query of the library (or any query) on a store.

    Parameters
    ----------
    store : a :class:`~coopgraph.stores.Store` (memory, Oxigraph or a SPARQL endpoint: the same answers)
    query : a :class:`Query`, a library name or a ``.rq`` path
    params : parameter values as text (``{"institution": "lstu"}``)

    Returns
    -------
    rdflib.query.Result
        rows for SELECT, a boolean for ASK, a graph for CONSTRUCT and DESCRIBE

    Raises
    ------
    QueryError
        for an unknown query or parameter, a missing parameter, or a syntax error (with line and column)

    Examples
    --------
    >>> from coopgraph.stores import open_store
    >>> store = open_store("memory", sources=["data"])
    >>> rows = run_query(store, "partners", {"institution": "ustl"})
    >>> [str(row.partnerLabel) for row in rows]
    ['Lipetsk State Technical University']
    """
    if not isinstance(query, Query):
        query = load_query(query)
    text = query_text(query, params, store=store)
    try:
        return store.query(_declare_prefixes(text))
    except StoreSyntaxError as exc:
        _explain_syntax_error(query, text)  # rdflib's message names the line and column of the text as written
        raise QueryError(query.name, str(exc)) from None


def _declare_prefixes(text: str) -> str:
    """The text with coopgraph's prefixes that it does not declare itself declared on its first line.

    rdflib knows them when it parses (``initNs``); other engines do not. Nothing moves to another line,
    so an engine's line numbers stay those of the text as written.
    """
    body = sparqltext.strip_comments(text)
    missing = [
        f"PREFIX {prefix}: <{namespace}> " for prefix, namespace in PREFIXES.items()
        if re.search(rf"(?<![\w\-.:]){re.escape(prefix)}:", body)
        and not re.search(rf"PREFIX\s+{re.escape(prefix)}:", body, re.I)
    ]
    return "".join(missing) + text


# ---------------------------------------------------------------------------------------- formatting


def format_result(result: Result, fmt: str = "table", *, name: str = "query") -> str | bytes:
    """A result in one of :data:`FORMATS`.

    ``table`` is for reading (text; cells longer than 60 characters are cut); ``json``, ``xml``,
    ``csv`` and ``tsv`` are the SPARQL 1.1 results formats (UTF-8 bytes); ``turtle`` and ``jsonld``
    are for the graph of a CONSTRUCT or DESCRIBE.

    Raises
    ------
    QueryError
        for an unknown format, or one that does not fit the result (a table format for a graph)
    """
    _check_format(result.type, fmt, name)
    graph_result = result.type in ("CONSTRUCT", "DESCRIBE")
    if graph_result:
        graph = bind_prefixes(Graph())
        for triple in result.graph:  # type: ignore[union-attr]
            graph.add(triple)
        if fmt == "jsonld":
            return graph.serialize(format="json-ld", context=dict(PREFIXES), encoding="utf-8")
        return graph.serialize(format="turtle", encoding="utf-8")
    if fmt == "table":
        if result.type == "ASK":
            return f"{str(result.askAnswer).lower()}\n"
        return _table(result)
    if fmt == "tsv":
        return _tsv(result).encode("utf-8")
    return _without_unbound(result).serialize(format=fmt, encoding="utf-8")  # type: ignore[return-value]


def _without_unbound(result: Result) -> Result:
    """The same rows with unbound cells left out (rdflib's XML writer fails on a None it is given)."""
    if result.type != "SELECT":
        return result
    clean = Result("SELECT")
    clean.vars = result.vars
    clean.bindings = [{var: term for var, term in row.items() if term is not None} for row in result.bindings]
    return clean


def _check_format(form: str | None, fmt: str, name: str) -> None:
    if fmt not in FORMATS:
        raise QueryError(name, f"unknown format '{fmt}'{_did_you_mean(fmt, FORMATS)} (formats: {', '.join(FORMATS)})")
    if form in ("CONSTRUCT", "DESCRIBE") and fmt in _TABLE_FORMATS:
        raise QueryError(name, f"a {form} query returns a graph — use --format turtle or jsonld, not {fmt}")
    if form in ("SELECT", "ASK") and fmt in _GRAPH_FORMATS:
        raise QueryError(name, f"a {form} query returns a table — use --format table, json, xml, csv or tsv, not {fmt}")
    if form == "ASK" and fmt in ("csv", "tsv"):
        raise QueryError(name, "an ASK query returns true or false — use --format table, json or xml")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _visible(text: str) -> str:
    """Control characters written as escapes (``\\x1b``): a cell must not drive the terminal it is printed on."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _short(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, namespace in PREFIXES.items():
            if text.startswith(namespace) and re.fullmatch(r"[\w\-.]+", text[len(namespace):]):
                return f"{prefix}:{text[len(namespace):]}"
        return _visible(text)
    if isinstance(term, BNode):
        return _visible(f"_:{term}")
    return _visible(" ".join(str(term).split()))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str) -> str:
    return text if len(text) <= _CELL_WIDTH else text[: _CELL_WIDTH - 1] + "…"


def _table(result: Result) -> str:
    names = [str(v) for v in result.vars or []]
    rows = [[_cut(_short(term)) for term in row] for row in result]  # type: ignore[union-attr]
    widths = [max([_width(n)] + [_width(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(out) + "\n"


def _tsv_term(term: Node | None) -> str:
    """A term as SPARQL 1.1 TSV writes it: IRIs in <>, literals quoted with tabs and newlines escaped."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, Literal)
    escaped = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    if term.language:
        return f'"{escaped}"@{term.language}'
    if term.datatype and term.datatype != XSD.string:
        return f'"{escaped}"^^<{term.datatype}>'
    return f'"{escaped}"'


def _tsv(result: Result) -> str:
    names = [str(v) for v in result.vars or []]
    out = io.StringIO()
    out.write("\t".join(f"?{n}" for n in names) + "\n")
    for row in result:
        out.write("\t".join(_tsv_term(term) for term in row) + "\n")  # type: ignore[union-attr]
    return out.getvalue()


# ---------------------------------------------------------------------------------------- the command's job


def query_sources(
    query: Query | str,
    *,
    store: Store,
    params: Mapping[str, str] | None = None,
    fmt: str = "table",
    note: Callable[[str], None] | None = None,
    allow_service: bool = False,
) -> str | bytes:
    """Run a query on a store and format its answer: ``coopgraph query``'s job.

    A query that calls another endpoint (``SERVICE``) is refused unless ``allow_service``: a command
    makes no network request that was not asked for.

    The query, its parameters and the format are checked before the store is read (a memory store
    built from sources is built only then). ``note`` is told how to ask for the next page when a paged
    listing fills its page.

    Raises
    ------
    QueryError
        as :func:`run_query` and :func:`format_result`
    SourceError
        for a source file that cannot be read (a memory store built from sources)
    """
    if not isinstance(query, Query):
        query = load_query(query)
    _check_format(query.form, fmt, query.name)
    if not allow_service and sparqltext.calls_service(query.text):
        raise QueryError(query.name, "calls another SPARQL endpoint (SERVICE), and coopgraph makes no network "
                                     "request unless asked — give --allow-service to let it")
    query_text(query, params, store=DEFERRED)  # unknown, missing or malformed parameters fail before the build
    result = run_query(store, query, params)
    if note is not None and (said := page_note(query, result)):
        note(said)
    return format_result(result, fmt, name=query.name)


def page_note(query: Query, result: Result) -> str | None:
    """What to say when a query that gives at most ``LIMIT n`` rows gave that many, else None.

    A paged listing (an ``after`` parameter and a ``position`` column) tells how to ask for the next
    page; a query that gives its first ``n`` answers only (find-institution, partners-of-partners)
    says that there may be more.
    """
    size = re.search(r"\bLIMIT\s+(\d+)", sparqltext.strip_comments(query.text), re.I)
    if not size or result.type != "SELECT":
        return None
    limit, rows = int(size.group(1)), list(result)
    if "after" in {p.name for p in query.params} and Variable("position") in (result.vars or []):
        positions = [int(row.position) for row in rows if getattr(row, "position", None) is not None]  # type: ignore[union-attr]
        if len(set(positions)) < limit:
            return None
        return f"{query.name}: a full page ({limit} rows) — for the next, add --param after={max(positions)}"
    if len(rows) < limit:
        return None
    return f"{query.name}: the first {limit} rows — there may be more: narrow the question"


def library_listing() -> str:
    """The query library as ``coopgraph queries`` prints it: name, summary, parameters."""
    queries = list_queries()
    width = max((len(q.name) for q in queries), default=0) + 2
    out = []
    for query in queries:
        summary = textwrap.wrap(query.summary or "(no summary)", width=100 - width) or [""]
        out.append(query.name.ljust(width) + summary[0])
        out += [" " * width + more for more in summary[1:]]
        if query.params:
            out.append(" " * width + "params: " + query.signature())
    out.append("")
    out.append("Run one: coopgraph query NAME [--param name=value ...] [--format table|json|xml|csv|tsv|turtle|jsonld]")
    return "\n".join(out) + "\n"
