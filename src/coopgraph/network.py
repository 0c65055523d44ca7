"""RDF → networkx: the institution network, the full graph, ego networks and time slices, and their exports.

The graph is read with the SPARQL files of ``queries/network/``; nodes are keyed by the id an author
writes (``lstu``), or by a compact IRI (``coop:ActingRector``) for terms outside the data.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import json
import re
from collections import defaultdict
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, SKOS
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import ResultRow
from rdflib.term import Node

from coopgraph import choices, ids, resolve, resources
from coopgraph.errors import CoopgraphError
from coopgraph.namespaces import COOP, PREFIXES
from coopgraph.queryfiles import load_query
from coopgraph.stores import Store

__all__ = [
    "VIEWS",
    "FORMATS",
    "institution_network",
    "full_graph",
    "ego_network",
    "find_node",
    "view",
    "node_key",
    "cooperation_kinds",
    "flat_copy",
    "to_graphml",
    "to_gexf",
    "to_csv",
    "export_files",
]

#: The views :func:`view` builds.
VIEWS = choices.VIEWS
#: The file formats :func:`export_files` writes.
FORMATS = choices.NETWORK_FORMATS


# ---------------------------------------------------------------- queries and ontology lookups


def _text(name: str) -> str:
    """The text of ``queries/network/<name>.rq``."""
    return load_query(f"network/{name}").text


@functools.cache
def _query(name: str) -> Query:
    """The query ``queries/network/<name>.rq``, prepared for rdflib."""
    return prepareQuery(_text(name))


def _rows(graph: Graph | Store, name: str) -> Iterable[ResultRow]:
    """The rows of ``queries/network/<name>.rq``: a store answers with its own engine (as plain tuples)."""
    if isinstance(graph, Store):
        result = graph.query(_text(name))
        variables = result.vars or []
        return (tuple(map(binding.get, variables)) for binding in result.bindings)  # type: ignore[misc]
    return graph.query(_query(name))  # type: ignore[return-value]


@functools.cache
def cooperation_kinds() -> dict[URIRef, str]:
    """Each kind of cooperation (``coop:VisitCooperation`` …) and its English name, from the ontology.

    >>> sorted(cooperation_kinds().values())
    ['agreement', 'mobility', 'programme', 'visit']
    """
    return {row.kind: str(row.name) for row in _rows(resources.ontology(), "cooperation-kinds")}


@functools.cache
def _class_tree() -> tuple[dict[URIRef, set[URIRef]], dict[URIRef, str]]:
    """Direct superclasses of the ontology's classes, and the English labels of its classes and properties."""
    ontology = resources.vocabulary()
    parents: dict[URIRef, set[URIRef]] = defaultdict(set)
    for cls, parent in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(cls, URIRef) and isinstance(parent, URIRef):
            parents[cls].add(parent)
    labels = {
        subject: str(label)
        for subject, label in ontology.subject_objects(RDFS.label)
        if isinstance(subject, URIRef) and isinstance(label, Literal) and label.language == "en"
    }
    return dict(parents), labels


def _most_specific(types: Iterable[URIRef]) -> URIRef | None:
    """The type that no other of ``types`` specialises (coopgraph's own terms first)."""
    types = set(types)
    parents, _ = _class_tree()
    general = {parent for cls in types for parent in parents.get(cls, ())}
    candidates = sorted(types - general, key=lambda t: (not str(t).startswith(PREFIXES["coop"]), str(t)))
    return candidates[0] if candidates else None


def _kind_name(cls: URIRef | None) -> str | None:
    if cls is None:
        return None
    _, labels = _class_tree()
    return labels.get(cls) or re.split(r"[/#]", str(cls))[-1]


#: schema:location (rdflib's SDO namespace is https://schema.org/, coopgraph's schema: is http).
SCHEMA_LOCATION = URIRef(PREFIXES["schema"] + "location")

_PREFIX_ORDER = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def node_key(term: URIRef | BNode | str) -> str:
    """The key of a node: the author's id for an entity, a compact IRI for a known vocabulary, else the IRI.

    >>> node_key(ids.entity("lstu"))
    'lstu'
    >>> node_key(URIRef("https://w3id.org/coopgraph/ns#ActingRector"))
    'coop:ActingRector'
    >>> node_key(URIRef("https://ror.org/03grx7119"))
    'https://ror.org/03grx7119'
    """
    if isinstance(term, BNode):
        return f"_:{term}"
    text = str(term)
    if ids.is_entity(term) or text.startswith(ids.ID_BASE):
        return ids.local_id(URIRef(text))
    for prefix, namespace in _PREFIX_ORDER:
        if text.startswith(namespace) and prefix not in ("cgid",):
            return f"{prefix}:{text[len(namespace):]}"
    return text


def _year(value: Any) -> int | None:
    """The year of a gYear, date or dateTime literal."""
    if value is None:
        return None
    match = re.match(r"-?\d{4}", str(value))
    return int(match.group()) if match else None


def _label(names: dict[str, str], fallback: str) -> str:
    """The English name, else the first name by language tag, else ``fallback``."""
    if "en" in names:
        return names["en"]
    return names[sorted(names)[0]] if names else fallback


def _overlaps(first: int | None, last: int | None, since: int | None, until: int | None) -> bool:
    """Whether [first, last] overlaps [since, until] (a missing end is the other end; no years: no)."""
    if since is None and until is None:
        return True
    low = first if first is not None else last
    high = last if last is not None else first
    if low is None or high is None:
        return False
    return (until is None or low <= until) and (since is None or high >= since)


# ---------------------------------------------------------------- the institution network


def _institution_node(G: nx.Graph, iri: URIRef) -> dict[str, Any]:
    key = node_key(iri)
    if key not in G:
        G.add_node(
            key, iri=str(iri), label=key, kind=None, types=[], country=None, city=None,
            names={}, aliases={}, acronyms=[], ror=[], wikidata=[], sources=[],
        )
    return G.nodes[key]


def _statement_order(row: ResultRow) -> tuple[str, str, int, str, str]:
    """Subject, property, then IRIs before literals, by text, language and datatype."""
    subject, prop, value = row
    return (str(subject), str(prop), isinstance(value, Literal), str(value),
            f"{value.language or ''}^{value.datatype or ''}" if isinstance(value, Literal) else "")


def _places(graph: Store) -> dict[URIRef, tuple[str | None, str | None]]:
    """Each place an institution is in → (city name or None, country code or None)."""
    places: dict[URIRef, tuple[str | None, str | None]] = {}
    for place, is_city, place_name, country_code in _rows(graph, "places"):
        city, country = places.get(place, (None, None))
        if is_city is not None and city is None:
            city = str(place_name) if place_name is not None else node_key(place)
        if country is None and country_code is not None:
            country = str(country_code)
        places[place] = (city, country)
    return places


def _cooperations(graph: Store) -> dict[URIRef, dict[str, Any]]:
    """Each derived cooperation → its partners, kind, years, evidence count, evidence and sources."""
    kinds = cooperation_kinds()
    field = {str(COOP.partner): "partners", str(COOP.cooperationKind): "kind", str(COOP.firstYear): "first",
             str(COOP.lastYear): "last", str(COOP.evidenceCount): "count", str(COOP.evidence): "evidence"}
    keys: dict[Node, str] = {}  # node_key of each evidence and source, once
    found: dict[URIRef, dict[str, Any]] = {}
    for cooperation, prop, value in _rows(graph, "cooperations"):  # hundreds of thousands of rows at 1M triples
        record = found.get(cooperation)
        if record is None:
            record = found[cooperation] = {"partners": set(), "kind": "cooperation", "first": None, "last": None,
                                           "count": 0, "evidence": set(), "sources": set()}
        name = field.get(str(prop), "sources")
        if name == "partners":
            record["partners"].add(value)
        elif name == "kind":
            record["kind"] = kinds.get(value, node_key(value))
        elif name in ("first", "last"):
            record[name] = _year(value)
        elif name == "count":
            record["count"] = int(value)
        else:
            key = keys.get(value)
            if key is None:
                key = keys[value] = node_key(value)
            record[name].add(key)
    return found


def institution_network(
    store: Store,
    *,
    since: int | None = None,
    until: int | None = None,
    isolates: bool = True,
) -> nx.Graph:
    """The institution network: one node per institution, one edge per cooperating pair.

    Edges aggregate the derived ``coop:Cooperation`` nodes of a pair (one per kind of evidence).
    With ``since``/``until`` only the cooperations whose ``[firstYear, lastYear]`` overlaps the
    slice are kept (each whole: its weight and years are not cut to the slice).

    Parameters
    ----------
    store : Store
        holds the facts and the derived graph; it answers the queries of ``queries/network/``
        itself (nothing is copied out of it)
    since, until : int, optional
        the first and last year of the time slice (inclusive)
    isolates : bool
        keep institutions without any cooperation (in the slice)

    Returns
    -------
    networkx.Graph
        nodes keyed by institution id with ``iri``, ``label`` (English name), ``kind`` (most specific
        type, e.g. ``university``), ``types``, ``country`` (ISO code), ``city``, ``names``
        (language → name), ``aliases`` (language → list; acronyms included), ``acronyms`` (list),
        ``ror`` (ROR IRIs: the live record first, then withdrawn ones), ``wikidata`` (Wikidata IRIs),
        ``sources``; edges with ``weight`` (sum of evidence counts), ``kinds``, ``first_year``,
        ``last_year``, ``sources``, ``evidence``, ``cooperations`` (how many were aggregated) and
        ``evidence_by_kind`` (kind → count). The graph's ``view``, ``since`` and ``until`` are graph
        attributes.
    """
    G = nx.Graph(view="institutions", since=since, until=until)
    places = _places(store)
    types: dict[str, set[URIRef]] = defaultdict(set)
    rdf_type, pref_label, source, location = str(RDF.type), str(SKOS.prefLabel), str(PROV.wasDerivedFrom), str(SCHEMA_LOCATION)
    acronym, same_as, withdrawn_ror = str(COOP.acronym), str(OWL.sameAs), str(COOP.withdrawnRor)
    nodes: dict[URIRef, dict[str, Any]] = {}
    links: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))  # key → (sameAs, withdrawn ROR)
    for institution, prop, value in sorted(_rows(store, "institutions"), key=_statement_order):  # one order from every engine
        node = nodes.get(institution)
        if node is None:
            node = nodes[institution] = _institution_node(G, institution)
        prop = str(prop)
        if prop == rdf_type:
            if str(value).startswith(PREFIXES["coop"]):
                types[node_key(institution)].add(value)
        elif prop == pref_label:
            node["names"].setdefault(value.language or "", str(value))
        elif prop == source:
            node["sources"].append(node_key(value))
        elif prop == location:
            city, country = places.get(value, (None, None))
            node["city"] = node["city"] or city
            node["country"] = node["country"] or country
        elif prop in (same_as, withdrawn_ror):
            links[node_key(institution)][prop == withdrawn_ror].append(str(value))
        else:
            if prop == acronym and str(value) not in node["acronyms"]:
                node["acronyms"].append(str(value))
            if str(value) not in node["aliases"].setdefault(value.language or "", []):  # acronyms are aliases too
                node["aliases"][value.language or ""].append(str(value))
    for key, (same, withdrawn) in links.items():
        G.nodes[key]["ror"], G.nodes[key]["wikidata"] = map(list, resolve.identifiers(same, withdrawn))
    for key, found in types.items():
        G.nodes[key]["types"] = sorted(node_key(t) for t in found)
        G.nodes[key]["kind"] = _kind_name(_most_specific(found))
    for _, node in G.nodes(data=True):
        node["label"] = _label(node["names"], node["label"])
        node["sources"] = sorted(set(node["sources"]))
        node["aliases"] = {lang: sorted(names) for lang, names in sorted(node["aliases"].items())}
        node["acronyms"] = sorted(node["acronyms"])

    for _, record in sorted(_cooperations(store).items()):  # SPARQL rows come in no fixed order
        if len(record["partners"]) != 2 or not _overlaps(record["first"], record["last"], since, until):
            continue
        u, v = sorted(node_key(partner) for partner in record["partners"])
        for partner in record["partners"]:
            if node_key(partner) not in G:  # a partner not typed as an institution
                _institution_node(G, partner)
        count = record["count"] or len(record["evidence"]) or 1
        if not G.has_edge(u, v):
            G.add_edge(u, v, weight=0, kinds=[], first_year=None, last_year=None, sources=[],
                       evidence=[], cooperations=0, evidence_by_kind={})
        edge = G.edges[u, v]
        edge["weight"] += count
        edge["cooperations"] += 1
        by_kind = edge["evidence_by_kind"]
        by_kind[record["kind"]] = by_kind.get(record["kind"], 0) + count
        edge["evidence_by_kind"] = dict(sorted(by_kind.items()))
        edge["kinds"] = sorted(by_kind)
        edge["sources"] = sorted(set(edge["sources"]) | record["sources"])
        edge["evidence"] = sorted(set(edge["evidence"]) | record["evidence"])
        years_first = [y for y in (edge["first_year"], record["first"], record["last"]) if y is not None]
        years_last = [y for y in (edge["last_year"], record["last"], record["first"]) if y is not None]
        edge["first_year"] = min(years_first) if years_first else None
        edge["last_year"] = max(years_last) if years_last else None
    if not isolates:
        G.remove_nodes_from([n for n in list(G) if G.degree(n) == 0])
    return G


# ---------------------------------------------------------------- the full graph


def _literal_values(values: list[Literal]) -> Any:
    """Literals of one property: language → text when tagged, else the text, or a sorted list."""
    if any(v.language for v in values):
        by_language: dict[str, list[str]] = defaultdict(list)
        for value in values:
            by_language[value.language or ""].append(str(value))
        return {lang: "\n".join(sorted(texts)) for lang, texts in sorted(by_language.items())}
    texts = sorted(str(v) for v in values)
    return texts[0] if len(texts) == 1 else texts


def full_graph(store: Store) -> nx.MultiDiGraph:
    """The whole knowledge graph: every typed entity a node, every link between them an edge.

    Literals are node attributes keyed by the property's compact IRI (``schema:startDate``);
    language-tagged ones are a dict language → text. Links to IRIs that are not entities of the graph
    (ROR and Wikidata ids, ontology terms such as ``coop:ActingRector``) are attributes too.
    ``prov:wasDerivedFrom`` — the source document of every entity — is the ``sources`` attribute,
    not an edge, so that the document does not become the hub of every picture.

    Parameters
    ----------
    store : Store
        holds the facts and the derived graph

    Returns
    -------
    networkx.MultiDiGraph
        nodes with ``iri``, ``label``, ``kind`` (most specific type's name), ``types``, ``names``,
        ``aliases``, ``sources`` and literal attributes; edges keyed and labelled (``label``) by the
        property's compact IRI, with ``kinds`` (the property's English name, e.g. ``["host"]``) and
        ``weight`` 1.
    """
    G = nx.MultiDiGraph(view="full")
    types: dict[Hashable, set[URIRef]] = defaultdict(set)
    terms: dict[str, URIRef | BNode] = {}
    for entity, type_ in _rows(store, "entities"):
        key = node_key(entity)
        terms[key] = entity
        types[key].add(type_)
    for key in sorted(types):
        kind = _most_specific(types[key])
        G.add_node(
            key, iri=str(terms[key]), label=key, kind=_kind_name(kind),
            types=sorted(node_key(t) for t in types[key]), names={}, aliases={}, sources=[],
        )
    literals: dict[tuple[str, str], list[Literal]] = defaultdict(list)
    references: dict[tuple[str, str], set[str]] = defaultdict(set)
    edges: set[tuple[str, str, str, URIRef]] = set()
    for subject_term, property_, value in _rows(store, "statements"):
        subject = node_key(subject_term)
        if subject not in G:
            continue
        prop = node_key(property_)
        node = G.nodes[subject]
        if isinstance(value, Literal):
            if property_ == SKOS.prefLabel:
                node["names"].setdefault(value.language or "", str(value))
            elif property_ == SKOS.altLabel:
                node["aliases"].setdefault(value.language or "", []).append(str(value))
            else:
                literals[subject, prop].append(value)
            continue
        target = node_key(value)
        if property_ == PROV.wasDerivedFrom:
            node["sources"].append(target)
        elif target in G:
            edges.add((subject, target, prop, property_))
        else:
            references[subject, prop].add(target)
    attributes: dict[tuple[str, str], Any] = {key: _literal_values(values) for key, values in literals.items()}
    for key, targets in references.items():
        ordered = sorted(targets)
        attributes[key] = ordered[0] if len(ordered) == 1 else ordered
    for (subject, prop), value in sorted(attributes.items()):
        G.nodes[subject][prop] = value
    for _, node in G.nodes(data=True):
        node["label"] = _label(node["names"], node["label"])
        node["sources"] = sorted(set(node["sources"]))
        node["names"] = dict(sorted(node["names"].items()))
        node["aliases"] = {lang: sorted(names) for lang, names in sorted(node["aliases"].items())}
    _, labels = _class_tree()
    for subject, target, prop, iri in sorted(edges):
        G.add_edge(subject, target, key=prop, label=prop, kinds=[labels.get(iri, prop)], weight=1,
                   first_year=None, last_year=None, sources=[])
    return G


# ---------------------------------------------------------------- ego networks and lookups


def find_node(G: nx.Graph, name: str) -> Hashable:
    """The node that ``name`` denotes: its key or its IRI. (Names go through the resolver: see :func:`view`.)

    Raises
    ------
    CoopgraphError
        when no node has this key or IRI (the message names the closest keys)

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("lstu", iri="https://w3id.org/coopgraph/id/lstu")
    >>> find_node(G, "https://w3id.org/coopgraph/id/lstu")
    'lstu'
    """
    if name in G:
        return name
    for node, data in G.nodes(data=True):
        if data.get("iri") == name:
            return node
    close = difflib.get_close_matches(name, [str(node) for node in G], n=3, cutoff=0.6)
    hint = f" — did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise CoopgraphError(f"no node '{name}' in the network{hint}")


def _focus(store: Store, G: nx.Graph, mention: str) -> Hashable:
    """The node ``--focus`` names: a node's key or IRI, else an institution as the resolver finds it."""
    if mention in G or any(data.get("iri") == mention for _, data in G.nodes(data=True)):
        return find_node(G, mention)
    try:
        iri = resolve.institution(store, mention)
    except resolve.ResolutionError as exc:
        raise CoopgraphError(str(exc)) from None
    key = node_key(iri)
    if key not in G:
        raise CoopgraphError(f"'{mention}' is {key}, which is not in this view (outside --since/--until?)")
    return key


def ego_network(G: nx.Graph, center: Hashable, *, depth: int = 1) -> nx.Graph:
    """The nodes within ``depth`` links of ``center`` (following links both ways), and their links.

    Parameters
    ----------
    G : networkx graph
    center : a node, or its IRI
    depth : how many links away from the centre to go

    Examples
    --------
    >>> sorted(ego_network(nx.path_graph(5), 2, depth=1))
    [1, 2, 3]
    """
    if depth < 0:
        raise CoopgraphError(f"depth must be 0 or more, not {depth}")
    key = center if center in G else find_node(G, str(center))
    ego = nx.ego_graph(G, key, radius=depth, undirected=True)
    ego.graph.update(G.graph, focus=key, depth=depth)
    return ego


def view(
    store: Store,
    *,
    view: str = "institutions",
    focus: str | None = None,
    depth: int = 1,
    since: int | None = None,
    until: int | None = None,
) -> nx.Graph:
    """One view of the graph, as the command line asks for it.

    Parameters
    ----------
    view : ``institutions`` or ``full``
    focus, depth : keep only the ego network of ``focus`` to ``depth`` links
    since, until : the time slice (institution view only)
    """
    if view not in VIEWS:
        raise CoopgraphError(f"unknown view '{view}' — use one of {', '.join(VIEWS)}")
    if view == "full":
        if since is not None or until is not None:
            raise CoopgraphError("--since/--until slice the institution view only — drop them, or use --view institutions")
        G: nx.Graph = full_graph(store)
    else:
        G = institution_network(store, since=since, until=until)
    return ego_network(G, _focus(store, G, focus), depth=depth) if focus is not None else G


# ---------------------------------------------------------------- exports for network tools


def _scalar(value: Any) -> Any:
    """A value GraphML and GEXF can hold: lists joined with '; ', dicts as JSON, None dropped."""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return "; ".join(str(item) for item in items)
    return str(value)


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    return {key: _scalar(value) for key, value in data.items() if value is not None}


def flat_copy(G: nx.Graph) -> nx.Graph:
    """A copy of ``G`` whose attributes are all scalars (see the exports).

    >>> G = nx.Graph()
    >>> G.add_node("a", kinds=["visit", "agreement"], names={"en": "A"}, city=None)
    >>> flat_copy(G).nodes["a"]
    {'kinds': 'visit; agreement', 'names': '{"en": "A"}'}
    """
    flat = G.__class__()
    flat.graph.update(_flat(G.graph))
    flat.add_nodes_from((node, _flat(data)) for node, data in G.nodes(data=True))
    if G.is_multigraph():
        flat.add_edges_from((u, v, key, _flat(data)) for u, v, key, data in G.edges(keys=True, data=True))
    else:
        flat.add_edges_from((u, v, _flat(data)) for u, v, data in G.edges(data=True))
    return flat


def _uniform_types(G: nx.Graph) -> nx.Graph:
    """Make each attribute one type across all nodes (and across all edges): str if they differ."""
    for items in (
        [data for _, data in G.nodes(data=True)],
        [data for *_, data in G.edges(data=True)],
    ):
        seen: dict[str, set[type]] = defaultdict(set)
        for data in items:
            for key, value in data.items():
                seen[key].add(type(value))
        mixed = {key for key, kinds in seen.items() if len(kinds) > 1}
        for data in items:
            for key in mixed & data.keys():
                data[key] = str(data[key])
    return G


def to_graphml(G: nx.Graph) -> bytes:
    """``G`` as GraphML (attributes flattened as in :func:`flat_copy`)."""
    buffer = io.BytesIO()
    nx.write_graphml(_uniform_types(flat_copy(G)), buffer, encoding="utf-8", named_key_ids=True)
    return buffer.getvalue()


def to_gexf(G: nx.Graph) -> bytes:
    """``G`` as GEXF 1.2 for Gephi (attributes flattened; no modification date, so the bytes are stable)."""
    buffer = io.BytesIO()
    nx.write_gexf(_uniform_types(flat_copy(G)), buffer, encoding="utf-8")
    return re.sub(rb' lastmodifieddate="[^"]*"', b"", buffer.getvalue())


def _csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def to_csv(G: nx.Graph) -> tuple[bytes, bytes]:
    """``G`` as two CSV tables: nodes (``id`` then attributes) and edges (``source,target[,key]`` then attributes).

    Attributes are flattened as in :func:`flat_copy`; columns are sorted; an empty cell is a missing value.
    """
    flat = flat_copy(G)
    node_columns = sorted({key for _, data in flat.nodes(data=True) for key in data})
    nodes = _csv(
        ["id", *node_columns],
        ([str(node), *(data.get(c, "") for c in node_columns)] for node, data in flat.nodes(data=True)),
    )
    ends = ["source", "target", "key"] if flat.is_multigraph() else ["source", "target"]
    edge_data = (
        [((u, v, k), d) for u, v, k, d in flat.edges(keys=True, data=True)]
        if flat.is_multigraph()
        else [((u, v), d) for u, v, d in flat.edges(data=True)]
    )
    edge_columns = sorted({key for _, data in edge_data for key in data})
    edges = _csv(
        [*ends, *edge_columns],
        ([*map(str, end), *(data.get(c, "") for c in edge_columns)] for end, data in edge_data),
    )
    return nodes, edges


def _csv_names(path: Path) -> tuple[str, str]:
    stem = path.name[: -len(".csv")] if path.name.endswith(".csv") else path.name
    return f"{stem}-nodes.csv", f"{stem}-edges.csv"


def export_files(G: nx.Graph, path: str | Path, *, format: str | None = None) -> dict[Path, bytes]:
    """The files that export ``G`` for network tools, as path → bytes (written by the caller, atomically).

    Parameters
    ----------
    G : networkx graph, e.g. from :func:`institution_network`
    path : the file to write; for ``csv``, ``out/net.csv`` (or ``out/net``) means ``out/net-nodes.csv``
        and ``out/net-edges.csv``
    format : ``graphml``, ``gexf`` or ``csv``; by default the suffix of ``path``

    Raises
    ------
    CoopgraphError
        when the format is unknown and the suffix does not tell it

    Examples
    --------
    >>> sorted(p.name for p in export_files(nx.path_graph(2), "out/path.csv"))
    ['path-edges.csv', 'path-nodes.csv']
    """
    path = Path(path)
    format = (format or path.suffix.lstrip(".")).lower()
    if format not in FORMATS:
        raise CoopgraphError(f"cannot tell the format of '{path}' — use --format {'|'.join(FORMATS)}")
    if format == "csv":
        nodes_name, edges_name = _csv_names(path)
        nodes, edges = to_csv(G)
        return {path.parent / nodes_name: nodes, path.parent / edges_name: edges}
    return {path: to_graphml(G) if format == "graphml" else to_gexf(G)}
