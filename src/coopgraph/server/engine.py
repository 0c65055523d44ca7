"""The worker side of the endpoint: open the store, check a request, run it, write the answer.

Each worker is a process of its own (see :mod:`coopgraph.server.pool`), so that a query running past
the time limit can be stopped by ending the process: Oxigraph cannot be interrupted from Python.
Everything that costs CPU — checking, running, counting and serializing — happens here, never in
the process that answers HTTP.

A worker reads one :class:`Source`, a store spec that it opens with :func:`coopgraph.stores.open_store`:

- ``oxigraph:DIR``: an Oxigraph store on disk, opened read-only (many workers share it), or for
  writing (one worker at a time, for an update);
- ``http(s)://…``: another SPARQL 1.1 endpoint, asked over HTTP through
  :class:`coopgraph.stores.Endpoint` (the protocol is spoken there, for the stores and this proxy alike).
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import resource
import sys
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import pyoxigraph as ox

from coopgraph import sparqltext, stores
from coopgraph.errors import StoreError
from coopgraph.server.formats import GRAPH_FORMATS, TABLE_FORMATS, NotAcceptable, negotiate
from coopgraph.stores import Endpoint, EndpointError, RemoteStore, Store, StoreSyntaxError, parse_spec

__all__ = ["Job", "Reply", "Refused", "Source", "check_query", "check_update", "open_source", "handle", "worker_main",
           "limit_memory", "OUT_OF_MEMORY", "ROW_MAX_BYTES"]

_TABLE = {f.name: f for f in TABLE_FORMATS}
_GRAPH = {f.name: f for f in GRAPH_FORMATS}
_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
_RDF = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
        "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
#: A remote endpoint's answer is read up to this many bytes.
REMOTE_MAX_BYTES = 512 * 1024 * 1024
#: The longest row (or triple) Oxigraph's parsers read back (their line buffer): an answer is counted as
#: TSV or N-Triples, then read back to be written in the format asked for, so a longer row fits TSV and
#: N-Triples only.
ROW_MAX_BYTES = 16 * 1024 * 1024
#: A worker's exit status when Python ran out of memory (Oxigraph's Rust code aborts: SIGABRT).
OUT_OF_MEMORY = 86


@dataclass
class Job:
    """What a worker is asked to do.

    Attributes
    ----------
    kind : "query", "update", "named" (a query of the library: ``text`` is its name, ``params`` its
        parameters, bound in the worker, where the store resolves institutions), "page" (the network
        page) or "ping"
    text : the SPARQL text (the query's name for "named")
    params : a named query's parameters, as (name, value) text
    text_only : for "named": answer the query's text with its parameters bound, not its result
    accept : the request's Accept header
    formats : values of the request's ``format`` parameter
    default_graphs, named_graphs : the protocol's ``default-graph-uri`` / ``named-graph-uri`` (or, for
        an update, ``using-graph-uri`` / ``using-named-graph-uri``)
    max_results : the most rows (or triples) an answer may hold
    max_bytes : the largest answer body, in bytes
    prefixes : prefixes for Turtle output
    """

    kind: str
    text: str = ""
    accept: str | None = None
    formats: tuple[str, ...] = ()
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_results: int = 100_000
    max_bytes: int = 128 * 1024 * 1024
    prefixes: dict[str, str] = field(default_factory=dict)
    params: tuple[tuple[str, str], ...] = ()
    text_only: bool = False


@dataclass
class Reply:
    """An HTTP answer: status, headers and body."""

    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def message(cls, status: int, text: str, **headers: str) -> Reply:
        """A plain-text answer of one line."""
        return cls(status, (text.rstrip("\n") + "\n").encode("utf-8"), headers=dict(headers))


class Refused(Exception):
    """A request the endpoint will not run: its HTTP status and why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ------------------------------------------------------------------------------------------ checks

def _walk(node: Any) -> Iterable[Any]:
    """Every node of an rdflib parse tree (CompValue, ParseResults, lists)."""
    todo = [node]
    while todo:
        current = todo.pop()
        yield current
        if isinstance(current, dict):
            todo.extend(current.values())
        elif isinstance(current, list | tuple) or type(current).__name__ == "ParseResults":
            todo.extend(list(current))


def _names(tree: Any) -> set[str]:
    return {getattr(node, "name", "") for node in _walk(tree) if type(node).__name__ == "CompValue"}


def _parser_message(exc: Exception) -> str:
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "col", None)
    text = getattr(exc, "msg", None) or str(exc)
    return f"{text} at line {line}, column {column}" if line else text


_SERVICE_REFUSED = ("SERVICE is refused: this endpoint does not call other SPARQL endpoints "
                    "(federated queries are off) — query the other endpoint yourself")


@functools.lru_cache(maxsize=1024)
def check_query(text: str) -> None:
    """Refuse a query that would call another endpoint (``SERVICE``).

    The keyword is found as ``coopgraph query`` finds it (:func:`coopgraph.sparqltext.calls_service`:
    in any case, through codepoint escapes, not inside strings, IRIs, comments or names), without
    parsing: the query itself is then parsed and run by Oxigraph.

    Raises
    ------
    Refused
        403 for SERVICE
    """
    if sparqltext.calls_service(text):
        raise Refused(403, _SERVICE_REFUSED)


@functools.lru_cache(maxsize=256)
def check_update(text: str) -> None:
    """Refuse an update that loads a document from elsewhere (``LOAD``) or calls SERVICE.

    Raises
    ------
    Refused
        403 for LOAD or SERVICE; 400 when the update does not parse
    """
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        tree = parseUpdate(sparqltext.unescaped(text))
    except Exception as exc:
        raise Refused(400, f"SPARQL Update syntax error: {_parser_message(exc)}") from None
    names = _names(tree)
    if "Load" in names:
        raise Refused(403, "LOAD is refused: this endpoint does not fetch documents from other hosts — "
                           "load the file into the store with coopgraph instead")
    if "ServiceGraphPattern" in names:
        raise Refused(403, _SERVICE_REFUSED)


def _is_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(sparqltext.unescaped(text))
    except Exception:
        return False
    return True


# ------------------------------------------------------------------------------------------ stores


@dataclass(frozen=True)
class Source:
    """Where a worker reads (see the module docstring): a store spec, and how to open it.

    Attributes
    ----------
    spec : ``oxigraph:DIR`` or an endpoint's query URL
    write : open an Oxigraph store for writing (the worker that runs updates)
    update_url : the endpoint's update URL (remote)
    union : how a remote query reaches the union of the named graphs when the client names no
        default graph (see :class:`coopgraph.stores.Endpoint`)
    """

    spec: str
    write: bool = False
    update_url: str | None = None
    union: str | None = None

    @property
    def remote(self) -> bool:
        return parse_spec(self.spec).kind == "remote"

    @property
    def kind(self) -> str:
        """``oxigraph``, ``oxigraph-write`` or ``remote`` (for the workers' process names)."""
        return "remote" if self.remote else "oxigraph-write" if self.write else "oxigraph"


def open_source(source: Source) -> Store:
    """The store a worker answers from."""
    return stores.open_store(source.spec, read_only=not source.write, locked=False,  # the server holds the folder's lock
                             update_url=source.update_url, union=source.union)


def _graph_names(iris: Iterable[str]) -> list[ox.NamedNode]:
    try:
        return [ox.NamedNode(iri) for iri in iris]
    except ValueError as exc:
        raise Refused(400, f"a graph IRI is not an IRI: {exc}") from None


def _run_local(store: ox.Store, job: Job) -> Any:
    options: dict[str, Any] = {}
    if job.default_graphs:
        options["default_graph"] = _graph_names(job.default_graphs)
    else:
        options["use_default_graph_as_union"] = True
    if job.named_graphs:
        options["named_graphs"] = _graph_names(job.named_graphs)
    try:
        return store.query(job.text, **options)
    except SyntaxError as exc:
        if _is_update(job.text):
            raise Refused(400, "this is a SPARQL Update, sent as a query — send it as update= (form) or as "
                               "application/sparql-update") from None
        raise Refused(400, syntax_message(job.text, exc)) from None


_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)


def syntax_message(text: str, exc: Exception) -> str:
    """Oxigraph's syntax error, readable: line, column, the text near it, and what was expected.

    Oxigraph lists every character class it would have accepted; the classes are left out.

    >>> syntax_message("SELECT * WHERE { ?s nope:p ?o }", SyntaxError("error at 1:27: expected one of Prefix not found"))
    "SPARQL syntax error at line 1, column 27, near 'nope:p': the prefix 'nope:' is not declared — add PREFIX nope: <...>"
    """
    match = _POSITION.match(str(exc).strip())
    if not match:
        return f"SPARQL syntax error: {exc}"
    line, column, detail = int(match.group(1)), int(match.group(2)), match.group(3)
    lines = text.split("\n")
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    before = source[: max(0, column - 1)]
    near_match = re.search(r"\S+\s*$", before)
    near = (near_match.group(0).strip() if near_match else "") + source[max(0, column - 1):][:20].split(" ")[0]
    near = near if len(near) <= 40 else near[:37] + "..."
    where = f"SPARQL syntax error at line {line}, column {column}" + (f", near '{near}'" if near else "")
    if "Prefix not found" in detail:
        prefix = re.search(r"([A-Za-z][\w\-.]*)?:[^\s:]*$", before)
        name = prefix.group(1) or "" if prefix else ""
        return f"{where}: the prefix '{name}:' is not declared — add PREFIX {name}: <...>"
    detail = " ".join(detail.split())
    if detail.startswith("expected one of "):
        options = [o.strip() for o in re.split(r",\s*(?![^\[]*\])", detail[len("expected one of "):])]
        kept = [o for o in options if o and o != "[_]" and "..=" not in o and "\\u{" not in o]
        detail = "expected " + " or ".join(kept) if kept else "unexpected text"
    return f"{where}: {detail}"


def _ask_remote(endpoint: Endpoint, job: Job, *, update: bool = False) -> Any:
    """Send the job to a remote endpoint; its answer parsed by Oxigraph (solutions, boolean or triples)."""
    params = endpoint.dataset_params(update=update, default_graphs=job.default_graphs, named_graphs=job.named_graphs)
    url = endpoint.update_at if update else endpoint.query_url
    try:
        content_type, body = endpoint.post(
            job.text, update=update, params=params, max_bytes=REMOTE_MAX_BYTES,
            accept="application/sparql-results+json, application/n-triples;q=0.9, */*;q=0.1",
        )
    except StoreSyntaxError as exc:
        raise Refused(400, str(exc)) from None
    except EndpointError as exc:
        if exc.status is None:
            raise Refused(502, f"the store at {url} cannot be reached: {exc.detail}") from None
        if exc.status == 413:
            raise Refused(502, f"the store at {url} answered more than {REMOTE_MAX_BYTES} bytes") from None
        status = exc.status if 400 <= exc.status < 500 else 502
        raise Refused(status, f"the store at {url} answered {exc.status}: {exc.detail}") from None
    except StoreError as exc:
        raise Refused(502, str(exc)) from None
    if update:
        return None
    media = content_type.split(";")[0].strip().lower()
    try:
        results = ox.QueryResultsFormat.from_media_type(media)
        if results is not None:
            return ox.parse_query_results(body, format=results)
        rdf = ox.RdfFormat.from_media_type(media)
        if rdf is not None:
            return [quad.triple for quad in ox.parse(body, format=rdf)]
    except SyntaxError as exc:
        raise Refused(502, f"the store at {url} sent an answer that does not parse ({exc}) — a server-side timeout "
                           "(such as oxigraph serve --timeout-s) cuts answers short without an error") from None
    raise Refused(502, f"the store at {url} answered in {media}, which is neither SPARQL results nor RDF")


# ------------------------------------------------------------------------------------------ answers


def _too_many(job: Job, what: str) -> Refused:
    return Refused(
        413,
        f"the answer has more than {job.max_results} {what} (the server's --max-results) — add LIMIT "
        f"{job.max_results} (and OFFSET to page through), or narrow the query",
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _too_large(job: Job) -> Refused:
    return Refused(
        413,
        f"the answer is larger than {_megabytes(job.max_bytes)} (the server's --max-answer-mb) — select fewer rows "
        "or shorter values (LIMIT, SUBSTR), or narrow the query",
    )


def _row_too_long(what: str, fmt_name: str, carrier: str) -> Refused:
    return Refused(
        413,
        f"a {what} of the answer is longer than {_megabytes(ROW_MAX_BYTES)}, more than this server writes as "
        f"{fmt_name} — shorten long values (SUBSTR), or ask for format={carrier}, which carries it whole",
    )


def html_page(title: str, body: str) -> Reply:
    """A small page (``body`` is HTML already escaped) in the pages' style."""
    page = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="stylesheet" href="/static/home.css"><link rel="icon" href="/static/favicon.svg"></head>'
            f'<body class="answer"><header><h1>{html.escape(title)}</h1><nav><a href="/">editor</a> '
            '<a href="/queries">query library</a> <a href="/graph">network</a></nav></header>'
            f"<main>{body}</main></body></html>\n")
    return Reply(200, page.encode("utf-8"), "text/html; charset=utf-8")


def _cell(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        suffix = f"@{term.language}" if term.language else ""
        return html.escape(term.value) + (f"<small>{html.escape(suffix)}</small>" if suffix else "")
    if isinstance(term, ox.BlankNode):
        return f"_:{html.escape(term.value)}"
    return html.escape(getattr(term, "value", str(term)))


def _html_table(variables: list[Any], rows: list[Any]) -> Reply:
    head = "".join(f"<th>{html.escape(v.value)}</th>" for v in variables)
    body = "".join("<tr>" + "".join(f"<td>{_cell(row[v])}</td>" for v in variables) + "</tr>" for row in rows)
    count = f"<p>{len(rows)} row{'' if len(rows) == 1 else 's'}</p>"
    return html_page("coopgraph: answer", f"{count}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


class _TooMany(Exception):
    """Raised from inside Oxigraph's writer once an answer passes the row limit."""


class _TooLarge(Exception):
    """Raised from inside Oxigraph's writer once an answer passes the byte limit."""


class _Capped:
    """Where Oxigraph writes an answer: keeps it, and stops it past ``max_bytes`` bytes or, for a line
    format (TSV, N-Triples), past ``max_lines`` lines.

    Oxigraph writes in chunks; raising from ``write`` ends the serialization (and the query's
    evaluation) early, so an answer far over a limit is never held in memory whole.
    """

    def __init__(self, *, max_bytes: int, max_lines: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_lines = max_lines
        self.lines = 0
        self.size = 0
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        if self.max_lines is not None:
            self.lines += data.count(b"\n")
            if self.lines > self.max_lines:
                raise _TooMany
        self.size += len(data)
        if self.size > self.max_bytes:
            raise _TooLarge
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.chunks)


def _readable_back(data: bytes) -> bool:
    """Whether Oxigraph's parsers can read ``data`` back: no line near :data:`ROW_MAX_BYTES`."""
    limit = ROW_MAX_BYTES - 64
    if len(data) < limit:
        return True
    start = 0
    while (end := data.find(b"\n", start)) >= 0:
        if end - start >= limit:
            return False
        start = end + 1
    return len(data) - start < limit


def _written(job: Job, write: Any) -> bytes:
    """What ``write(output)`` writes, within the answer's byte limit."""
    out = _Capped(max_bytes=job.max_bytes)
    try:
        write(out)
    except _TooLarge:
        raise _too_large(job) from None
    return out.value()


def _solutions_answer(result: Any, job: Job) -> Reply:
    try:
        fmt = negotiate(job.accept, "table", requested=job.formats)
    except NotAcceptable as exc:
        raise Refused(406, str(exc)) from None
    variables = list(result.variables)
    if not variables:  # TSV cannot tell rows of nothing apart: count them here
        count = sum(1 for _ in islice(result, job.max_results + 1))
        if count > job.max_results:
            raise _too_many(job, "rows")
        body = json.dumps({"head": {"vars": []}, "results": {"bindings": [{}] * count}}).encode()
        result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if fmt.name == "html":
            return _html_table([], list(result))
        return Reply(200, body if fmt.name == "json" else result.serialize(format=_RESULTS[fmt.name]),
                     fmt.content_type)
    # Oxigraph writes the rows as TSV (one line each; tabs and newlines in values are escaped), which
    # counts them cheaply; its own writer then turns them into the format asked for.
    tsv = _Capped(max_lines=job.max_results + 1, max_bytes=job.max_bytes)  # + the header line
    try:
        result.serialize(tsv, format=ox.QueryResultsFormat.TSV)
    except _TooMany:
        raise _too_many(job, "rows") from None
    except _TooLarge:
        raise _too_large(job) from None
    if fmt.name == "tsv":
        return Reply(200, tsv.value(), fmt.content_type)
    if not _readable_back(tsv.value()):
        raise _row_too_long("row", fmt.name.upper(), "tsv")
    parsed = ox.parse_query_results(tsv.value(), format=ox.QueryResultsFormat.TSV)
    if fmt.name == "html":
        return _html_table(variables, list(parsed))
    return Reply(200, _written(job, lambda out: parsed.serialize(out, format=_RESULTS[fmt.name])), fmt.content_type)


def _boolean_answer(result: Any, job: Job) -> Reply:
    try:
        fmt = negotiate(job.accept, "table", requested=job.formats)
    except NotAcceptable as exc:
        raise Refused(406, str(exc)) from None
    if fmt.name == "html":
        return html_page("coopgraph: answer", f"<p>{str(bool(result)).lower()}</p>")
    return Reply(200, result.serialize(format=_RESULTS[fmt.name]), fmt.content_type)


def _graph_answer(triples: Any, job: Job) -> Reply:
    try:
        fmt = negotiate(job.accept, "graph", requested=job.formats)
    except NotAcceptable as exc:
        raise Refused(406, str(exc)) from None
    lines = _Capped(max_lines=job.max_results, max_bytes=job.max_bytes)  # N-Triples: one triple a line
    try:
        if isinstance(triples, ox.QueryTriples):
            triples.serialize(lines, format=ox.RdfFormat.N_TRIPLES)
        else:
            ox.serialize(triples, lines, format=ox.RdfFormat.N_TRIPLES)
    except _TooMany:
        raise _too_many(job, "triples") from None
    except _TooLarge:
        raise _too_large(job) from None
    if fmt.name == "ntriples":
        return Reply(200, lines.value(), fmt.content_type)
    if not _readable_back(lines.value()):
        raise _row_too_long("triple", {"jsonld": "JSON-LD", "rdfxml": "RDF/XML"}.get(fmt.name, fmt.name.title()),
                            "ntriples")
    found = [q.triple for q in ox.parse(lines.value(), format=ox.RdfFormat.N_TRIPLES)]
    prefixes = job.prefixes if fmt.name in ("turtle", "rdfxml", "html") else None
    rdf = _RDF.get(fmt.name, ox.RdfFormat.TURTLE)
    body = _written(job, lambda out: ox.serialize(found, out, format=rdf, prefixes=prefixes))
    if fmt.name == "html":
        return html_page("coopgraph: answer", f"<pre>{html.escape(body.decode('utf-8'))}</pre>")
    return Reply(200, body, fmt.content_type)


def answer(result: Any, job: Job) -> Reply:
    """A query's result in the format the request negotiates, within the row and byte limits."""
    if isinstance(result, ox.QuerySolutions):
        reply = _solutions_answer(result, job)
    elif isinstance(result, ox.QueryBoolean):
        reply = _boolean_answer(result, job)
    else:
        reply = _graph_answer(result, job)
    if len(reply.body) > job.max_bytes:  # a page of the answer (HTML), or the rows of nothing
        raise _too_large(job)
    return reply


def _query(store: Store, job: Job) -> Reply:
    check_query(job.text)
    if isinstance(store, RemoteStore):
        return answer(_ask_remote(store.endpoint, job), job)
    return answer(_run_local(store.store, job), job)  # type: ignore[attr-defined]


def _update(store: Store, job: Job) -> Reply:
    check_update(job.text)
    if isinstance(store, RemoteStore):
        _ask_remote(store.endpoint, job, update=True)
    else:
        store = store.store  # type: ignore[attr-defined]
        if job.default_graphs or job.named_graphs:
            raise Refused(400, "using-graph-uri and using-named-graph-uri are not supported here — "
                               "write USING in the update instead")
        try:
            store.update(job.text)
        except SyntaxError as exc:
            raise Refused(400, syntax_message(job.text, exc).replace("SPARQL", "SPARQL Update", 1)) from None
        store.flush()
    return Reply(204, b"", headers={})


def _named(store: Store, job: Job) -> Reply:
    """A query of the library, its parameters bound here: an institution is resolved by the store's names
    (:func:`coopgraph.resolve.institution`), as ``coopgraph query`` resolves it."""
    from dataclasses import replace

    from coopgraph import queries
    from coopgraph.errors import QueryError

    try:
        text = queries.query_text(queries.load_query(job.text), dict(job.params), store=store)
    except QueryError as exc:
        raise Refused(400, re.sub(r"--param (\w+)=VALUE", r"?\1=VALUE", str(exc))) from None
    if job.text_only:
        return Reply(200, text.encode("utf-8"), "application/sparql-query; charset=utf-8")
    return _query(store, replace(job, kind="query", text=text, params=()))


def _page(store: Store, job: Job) -> Reply:
    """The interactive network page, drawn from what the store answers to the network's queries."""
    from coopgraph import network, render

    # the store answers the network's own queries (queries/network/): 1M triples on Oxigraph, 4.6 s,
    # not about 20 s for a CONSTRUCT of the subgraph parsed into rdflib
    G = network.institution_network(store)
    page = render.html_document(G, title="coopgraph: institution network")
    return Reply(200, page.encode("utf-8"), "text/html; charset=utf-8")


def handle(store: Any, job: Job) -> Reply:
    """Answer one job; a refusal becomes its 4xx reply, anything else a 500 of one line.

    The details of a failure (a traceback, the store's own message, which may name its files) go to
    this process's stderr, the server's log, never to the client. A :class:`MemoryError` is raised
    on: the worker cannot go on (see :func:`worker_main`).
    """
    try:
        if job.kind == "query":
            return _query(store, job)
        if job.kind == "update":
            return _update(store, job)
        if job.kind == "named":
            return _named(store, job)
        if job.kind == "page":
            return _page(store, job)
        if job.kind == "ping":
            return Reply(200, b"pong\n")
        raise ValueError(f"unknown job kind {job.kind!r}")
    except Refused as exc:
        return Reply.message(exc.status, exc.message)
    except MemoryError:
        raise
    except OSError as exc:  # Oxigraph reports evaluation and storage errors as OSError
        print(f"coopgraph serve: the store failed while answering a {job.kind}: {exc}", file=sys.stderr, flush=True)
        return Reply.message(500, "the store failed while answering — the details are in the server's log")
    except Exception:  # a bug
        print(f"coopgraph serve: internal error in a query worker, answering a {job.kind}:", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()
        return Reply.message(500, "internal error in a query worker — the details are in the server's log; "
                                  "please report it")


def limit_memory(megabytes: int) -> None:
    """Cap this process's data memory (heap, anonymous maps, thread stacks: ``RLIMIT_DATA``).

    Past the cap an allocation fails: Python raises :class:`MemoryError`; Oxigraph, whose Rust code
    aborts on a failed allocation, ends the process (SIGABRT). Either way the pool answers 503 and
    starts a fresh worker. ``RLIMIT_DATA`` rather than ``RLIMIT_AS``: the address space also counts
    what is reserved and never used (glibc's arenas, files mapped to be read), ~0.4 GB for an idle
    worker here, so a cap on it would say little about memory.
    """
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard if hard != resource.RLIM_INFINITY else limit))


def worker_main(conn: Any, source: Source, memory_mb: int | None = None) -> None:
    """A worker process: cap its memory, open the store, say ``ready``, then answer jobs until the pipe
    closes. Out of memory, it exits with :data:`OUT_OF_MEMORY` (the pool answers 503 and replaces it)."""
    os.environ["RUST_BACKTRACE"] = "0"  # a failed allocation in Oxigraph: one line in the log, not a backtrace
    if memory_mb:
        limit_memory(memory_mb)
    try:
        store = open_source(source)
    except MemoryError:
        os._exit(OUT_OF_MEMORY)
    except Exception as exc:  # reported to the parent, which fails to start with the message
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            conn.send(handle(store, job))  # pickling the reply takes memory too
        except MemoryError:
            print(f"coopgraph serve: a query worker ran out of memory answering a {job.kind} "
                  f"(its cap: {memory_mb} MB)", file=sys.stderr, flush=True)
            os._exit(OUT_OF_MEMORY)  # the heap may be left in pieces: a fresh worker takes over
