"""A SPARQL 1.1 endpoint as a store, and the protocol spoken to one (by this store and by the server's proxy).

The SPARQL 1.1 Protocol lives here once: :class:`Endpoint` knows where an endpoint keeps its query,
update and graph store URLs (from the shape of its URL: Oxigraph's server, Fuseki, GraphDB,
Virtuoso, or any other), how a request reaches the union of its named graphs, and how to send a
request and read the answer. :class:`RemoteStore` and the worker of ``coopgraph serve`` that proxies
another endpoint both speak through it.
"""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Node

from coopgraph import derive as derivation
from coopgraph import ids, oxterms, sparqltext
from coopgraph.dataset import DERIVED_GRAPH, INDEX_GRAPH
from coopgraph.errors import StoreError
from coopgraph.namespaces import PREFIXES
from coopgraph.stores.base import Store, StoreSyntaxError
from coopgraph.stores.rdffiles import read_quads
from coopgraph.stores.results import ask_result, graph_result, nt, select_result

__all__ = ["Endpoint", "EndpointError", "RemoteStore", "as_insert"]

_XSD_STRING = str(XSD.string)

@dataclass(frozen=True)
class _Layout:
    query: str
    update: str | None
    gsp: str | None
    union: str  # "oxigraph", "server", or the IRI of the union graph
    name: str


def _layout(url: str) -> _Layout:
    """Where a server keeps its update and graph store endpoints, from the query URL's shape."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")

    def at(new_path: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))

    if path in ("", "/query"):
        return _Layout(at("/query"), at("/update"), at("/store"), "oxigraph", "Oxigraph server")
    graphdb = re.fullmatch(r"(.*/repositories/[^/]+)", path)
    if graphdb:
        base = graphdb.group(1)
        return _Layout(url, at(base + "/statements"), at(base + "/rdf-graphs/service"), "server", "GraphDB")
    fuseki = re.fullmatch(r"(/[^/]+)/(sparql|query)", path)
    if fuseki:
        base = fuseki.group(1)
        return _Layout(url, at(base + "/update"), at(base + "/data"), "urn:x-arq:UnionGraph", "Fuseki")
    if path == "/sparql":
        return _Layout(url, url, at("/sparql-graph-crud"), "server", "Virtuoso")
    return _Layout(url, url, None, "server", "SPARQL endpoint")

_SHORT_IRI = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?")


class EndpointError(StoreError):
    """An endpoint refused a request (``status``: its HTTP status) or could not be reached (``status`` None)."""

    def __init__(self, message: str, *, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Endpoint:
    """Where a SPARQL 1.1 endpoint answers, and how to ask it (picklable: a server's workers get one).

    Parameters
    ----------
    url : the query URL, or the base URL of an Oxigraph server
    update_url, gsp_url : where updates and graph store requests go, when not where the layout puts them
    union : how a request reaches the union of the named graphs: ``oxigraph`` (its
        ``union-default-graph`` parameters), ``server`` (the server's default graph already is the
        union), or the IRI of a graph that stands for it (Fuseki: ``urn:x-arq:UnionGraph``);
        default: from the layout
    timeout : seconds to wait for an answer
    """

    url: str
    update_url: str | None = None
    gsp_url: str | None = None
    union: str | None = None
    timeout: float = 600.0

    @property
    def layout(self) -> _Layout:
        return _layout(self.url)

    @property
    def query_url(self) -> str:
        return self.layout.query

    @property
    def update_at(self) -> str | None:
        """The update URL: as given, else where the layout puts it."""
        return self.update_url or self.layout.update

    @property
    def gsp_at(self) -> str | None:
        """The Graph Store Protocol URL: as given, else where the layout puts it."""
        return self.gsp_url or self.layout.gsp

    @property
    def reaches_union(self) -> str:
        """``oxigraph``, ``server`` or the IRI of the union graph (see the class)."""
        return self.union or self.layout.union

    @property
    def server(self) -> str:
        """What kind of server the URL's shape says it is (for messages)."""
        return self.layout.name

    def dataset_params(self, *, update: bool = False, default_graphs: Sequence[str] = (),
                       named_graphs: Sequence[str] = ()) -> list[tuple[str, str]]:
        """The protocol's dataset parameters: the graphs named, else what reaches the union."""
        if default_graphs or named_graphs:
            return ([("using-graph-uri" if update else "default-graph-uri", g) for g in default_graphs]
                    + [("using-named-graph-uri" if update else "named-graph-uri", g) for g in named_graphs])
        if self.reaches_union == "oxigraph":
            return [("using-union-graph" if update else "union-default-graph", "")]
        if self.reaches_union != "server":
            return [("using-graph-uri" if update else "default-graph-uri", self.reaches_union)]
        return []

    def request(self, url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
                method: str | None = None, what: str = "query", max_bytes: int | None = None) -> tuple[str, bytes]:
        """Send one HTTP request; its content type and body.

        Raises
        ------
        StoreSyntaxError
            when the endpoint answers 400 to a query or update
        EndpointError
            for any other refusal (with its status), a body over ``max_bytes``, or no answer
        """
        request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (the user's URL)
                body = response.read() if max_bytes is None else response.read(max_bytes + 1)
                content_type = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip()
            message = detail.splitlines()[0] if detail else exc.reason
            if "limited to" in message:
                raise EndpointError(
                    f"{self.server} at {url} refused the {what}: {message} — a load is one request, to be all or "
                    "nothing: load the sources in parts, or bulk-load a dump with the server's own tools",
                    status=exc.code, detail=detail) from None
            if exc.code == 400 and what in ("query", "update"):
                raise StoreSyntaxError(f"{self.server} at {url} refused the {what}: {message}") from None
            raise EndpointError(f"{self.server} at {url} answered {exc.code} to the {what}: {message}",
                                status=exc.code, detail=detail) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EndpointError(
                f"cannot reach the SPARQL endpoint {url}: {reason} — is the server running, and is the URL right?",
                detail=str(reason)) from None
        if max_bytes is not None and len(body) > max_bytes:
            raise EndpointError(f"{self.server} at {url} answered more than {max_bytes} bytes", status=413)
        return content_type, body

    def post(self, text: str, *, update: bool = False, params: Sequence[tuple[str, str]] = (),
             accept: str | None = None, max_bytes: int | None = None) -> tuple[str, bytes]:
        """POST a query or update directly (its text the body, the protocol's parameters in the URL).

        Not form-encoded: percent-encoding makes a large INSERT DATA half as long again, and
        Oxigraph's server takes at most 128 MB in one request.
        """
        what = "update" if update else "query"
        url = self.update_at if update else self.query_url
        if url is None:
            raise StoreError(f"{self.url}: no update URL — give one with --update-url")
        if params:
            url += ("&" if urllib.parse.urlsplit(url).query else "?") + urllib.parse.urlencode(list(params))
        headers = {"Content-Type": f"application/sparql-{what}; charset=utf-8"}
        if accept:
            headers["Accept"] = accept
        return self.request(url, data=text.encode("utf-8"), headers=headers, what=what, max_bytes=max_bytes)


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint: Query and Update protocols; Graph Store Protocol for dumps.

    Parameters
    ----------
    url : the query URL, or the base URL of an Oxigraph server
    update_url, gsp_url : where updates and graph store requests go, when not where the layout puts them
    union : see :func:`open_store`
    timeout : seconds to wait for an answer
    """

    kind = "remote"

    def __init__(self, url: str, *, update_url: str | None = None, gsp_url: str | None = None,
                 union: str | None = None, timeout: float = 600.0) -> None:
        super().__init__(url)
        self.endpoint = Endpoint(url, update_url=update_url, gsp_url=gsp_url, union=union, timeout=timeout)
        self.query_url = self.endpoint.query_url
        self.update_url = self.endpoint.update_at
        self.gsp_url = self.endpoint.gsp_at
        self.union = self.endpoint.reaches_union
        self.server = self.endpoint.server

    def _select(self, text: str) -> Result:
        """A SELECT over the store's named graphs as they are (no union default graph)."""
        _, body = self.endpoint.post(text, accept="application/sparql-results+json")
        return self._json_result(body)

    # -- reading
    def query(self, sparql: str) -> Result:
        content_type, body = self.endpoint.post(
            sparql, params=self.endpoint.dataset_params(),
            accept="application/sparql-results+json, application/n-triples;q=0.9",
        )
        media = content_type.split(";")[0].strip().lower()
        if media in ("application/sparql-results+json", "application/json"):
            return self._json_result(body)
        try:
            fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
            convert = oxterms.Terms()
            triples = [(convert(t.subject), convert(t.predicate), convert(t.object))
                       for t in ox.parse(body, format=fmt)]
        except SyntaxError as exc:
            raise self._cut_short(exc) from None
        return graph_result(triples)

    def _cut_short(self, exc: Exception) -> StoreError:
        return StoreError(
            f"{self.server} at {self.query_url} sent an answer that does not parse ({exc}) — a server-side "
            "timeout (such as oxigraph serve --timeout-s) ends an answer early without an error"
        )

    def _json_result(self, body: bytes) -> Result:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise self._cut_short(exc) from None
        if "boolean" in data:
            return ask_result(bool(data["boolean"]))
        seen: dict[tuple, Node] = {}

        def term(value: dict) -> Node:
            key = (value["type"], value["value"], value.get("xml:lang"), value.get("datatype"))
            found = seen.get(key)
            if found is None:
                kind = value["type"]
                if kind == "uri":
                    found = URIRef(value["value"])
                elif kind == "bnode":
                    found = BNode(value["value"])
                elif value.get("xml:lang"):
                    found = Literal(value["value"], lang=value["xml:lang"])
                elif value.get("datatype") and value["datatype"] != _XSD_STRING:
                    found = Literal(value["value"], datatype=URIRef(value["datatype"]))
                else:
                    found = Literal(value["value"])
                seen[key] = found
            return found

        names = data["head"].get("vars", [])
        rows = [{name: term(v) for name, v in binding.items()} for binding in data["results"]["bindings"]]
        return select_result(names, rows)

    def graphs(self) -> list[URIRef]:
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row[0] for row in rows if isinstance(row[0], URIRef))  # type: ignore[index]

    def _count_query(self, pattern: str) -> int:
        (row,) = list(self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"))
        return int(row[0])  # type: ignore[index]

    def __len__(self) -> int:
        return self._count_query("GRAPH ?g { ?s ?p ?o }")

    def _count(self, graph: URIRef) -> int:
        return self._count_query(f"GRAPH <{graph}> {{ ?s ?p ?o }}")

    def nquads(self) -> bytes:
        if self.gsp_url is None:
            raise StoreError(f"{self.spec}: no Graph Store Protocol URL — give one with --gsp-url")
        if self.union == "oxigraph":  # Oxigraph serves the whole dataset from GET /store
            _, body = self.endpoint.request(self.gsp_url, headers={"Accept": "application/n-quads"}, what="graph store request")
            return body
        out = io.BytesIO()
        for graph in self.graphs():
            url = self.gsp_url + ("&" if "?" in self.gsp_url else "?") + urllib.parse.urlencode({"graph": str(graph)})
            _, body = self.endpoint.request(url, headers={"Accept": "application/n-triples"}, what="graph store request")
            for triple in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
                out.write(f"{triple} <{graph}> .\n".encode())
        return out.getvalue()

    # -- writing
    def update(self, sparql: str) -> None:
        """Send one SPARQL Update request (one transaction on Oxigraph, Fuseki and GraphDB)."""
        self.endpoint.post(sparql, update=True, params=self.endpoint.dataset_params(update=True))

    def _apply(self, graphs, files, *, derive):
        incoming: dict[str, list[str]] = {}
        for name, triples in graphs.items():
            incoming[str(name)] = [f"{_compact(s)} {_compact(p)} {_compact(o)} ." for s, p, o in triples]
        for path in files:  # parse everything first: a bad file changes nothing
            for quad in read_quads(path):
                incoming.setdefault(quad.graph_name.value, []).append(  # type: ignore[attr-defined]
                    f"{_compact_ox(quad.subject)} {_compact_ox(quad.predicate)} {_compact_ox(quad.object)} ."  # type: ignore[attr-defined]
                )
        prefixes = dict(_COMPACT_PREFIXES)
        parts = []
        for name in sorted(incoming):
            parts.append(f"DROP SILENT GRAPH <{name}> ;\n")
        body = "\n".join(f"GRAPH <{name}> {{\n" + "\n".join(lines) + "\n}" for name, lines in sorted(incoming.items()))
        if body:
            parts.append(f"INSERT DATA {{\n{body}\n}} ;\n")
        if derive:
            parts.append(f"DROP SILENT GRAPH <{DERIVED_GRAPH}> ;\n")
            parts.append(f"DROP SILENT GRAPH <{INDEX_GRAPH}> ;\n")
            for rule in (rule for stage in derivation.stages() for rule in stage):  # a request's operations run in order
                parts.append(as_insert(rule.text, rule.graph, prefixes) + " ;\n")
            sources = sorted({*map(URIRef, incoming), *self.graphs()} - {DERIVED_GRAPH, INDEX_GRAPH})
            provenance = derivation.provenance(sources)
            if provenance:
                lines = "\n".join(f"{nt(s)} {nt(p)} {nt(o)} ." for s, p, o in provenance)
                parts.append(f"INSERT DATA {{ GRAPH <{DERIVED_GRAPH}> {{\n{lines}\n}} }}\n")
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
        self.update(prologue + "".join(parts).rstrip().removesuffix(";"))
        if derive:
            self._number()
        return {name: self._count(URIRef(name)) for name in sorted(incoming)}

    def _number(self) -> None:
        """The order numbers of the derivation, computed here from the store's answers: a second request.

        SPARQL Update cannot number rows, so the numbers follow the update that wrote the rest. Should
        this request fail, the data and the rest of the derived graph are in place, and the paged
        listings are empty until a load succeeds again.
        """
        found = derivation.numbers(self.query)  # over the union of the graphs, as the rules see them
        if not found:
            return
        lines = "\n".join(f"{_compact_iri(s)} {_compact_iri(p)} {n} ." for s, p, n in found)
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _COMPACT_PREFIXES)
        try:
            self.update(f"{prologue}INSERT DATA {{ GRAPH <{INDEX_GRAPH}> {{\n{lines}\n}} }}")
        except StoreError as exc:
            raise StoreError(f"{exc} — the data is loaded, but not the order numbers of the listings: "
                             "load again to write them") from None


#: Prefixes that shorten the text of INSERT DATA (the request body of a large load).
_COMPACT_PREFIXES = [("cgid", ids.ID_BASE), *sorted(PREFIXES.items())]


def _compact_iri(iri: str) -> str:
    for prefix, namespace in _COMPACT_PREFIXES:
        if iri.startswith(namespace):
            local = iri[len(namespace):]
            if _SHORT_IRI.fullmatch(local):
                return f"{prefix}:{local}"
    return f"<{iri}>"


def _compact(term: Node) -> str:
    return _compact_iri(str(term)) if isinstance(term, URIRef) else nt(term)


def _compact_ox(term: object) -> str:
    return _compact_iri(term.value) if isinstance(term, ox.NamedNode) else str(term)  # type: ignore[attr-defined]


def as_insert(rule: str, graph: URIRef, prefixes: dict[str, str]) -> str:
    """A rule's ``CONSTRUCT { T } WHERE { P }`` as ``INSERT { GRAPH <graph> { T } } WHERE { P }``.

    Its PREFIX declarations go into ``prefixes``: Oxigraph reads a prologue only at the start of an
    update request, not after a ``;``, so the caller declares them all once, first.
    """
    i, start = 0, None
    while i < len(text := rule):
        end = sparqltext.skip(text, i)
        if end is not None:
            i = end
            continue
        if text[i:i + 9].upper() == "CONSTRUCT" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_:")):
            start = i
            break
        i += 1
    if start is None:
        raise StoreError("a rule in queries/rules/ is not a CONSTRUCT query")
    i = text.index("{", start + 9)
    open_at, depth = i, 0
    while i < len(text):
        end = sparqltext.skip(text, i)
        if end is not None:
            i = end
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                break
        i += 1
    template, rest = text[open_at + 1:i], text[i + 1:]
    if not re.match(r"\s*WHERE\b", rest, re.I) or re.search(r"}\s*(ORDER|LIMIT|OFFSET|GROUP)\b[^}]*$", rest, re.I):
        raise StoreError("a rule in queries/rules/ must be CONSTRUCT { ... } WHERE { ... } with no solution modifiers")
    prologue = sparqltext.strip_comments(text[:start])
    for name, iri in re.findall(r"PREFIX\s+([A-Za-z][\w\-.]*)?:\s*<([^>]*)>", prologue, re.I):
        if prefixes.setdefault(name, iri) != iri:
            raise StoreError(f"rules declare the prefix '{name}:' twice, as <{prefixes[name]}> and <{iri}> — use one")
    if re.sub(r"PREFIX\s+([A-Za-z][\w\-.]*)?:\s*<([^>]*)>", "", prologue, flags=re.I).strip():
        raise StoreError("a rule in queries/rules/ has a BASE or other prologue that coopgraph cannot hoist")
    return f"INSERT {{ GRAPH <{graph}> {{{template}}} }}{rest}"


# ------------------------------------------------------------------------------------ the interface
