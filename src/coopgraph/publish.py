"""What is published beside the dumps: a VoID and DCAT description of the dataset, and a report page.

The description (:func:`describe`) counts what the data graphs hold — triples, entities per class,
statements per property, one ``void:subset`` per named graph with its source — and is dated by the
data (the latest ``dcterms:issued`` or ``dcterms:modified`` in it), never by the clock, so that two
builds of the same data write the same bytes. It describes the data graphs, not itself: its own
statements are not counted.

The report (:func:`report_html`) is one self-contained page for people: counts, the institution
network (the interactive page of :mod:`coopgraph.render`, embedded), the timeline picture, the
sources, the cooperating pairs. Every text from the data is escaped.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, SKOS, VOID

from coopgraph import __version__, export, ids, network, render, resources, timeline
from coopgraph.dataset import bind_prefixes
from coopgraph.errors import CoopgraphError
from coopgraph.namespaces import COOP, PREFIXES
from coopgraph.stores import Store

__all__ = [
    "DESCRIPTION_GRAPH",
    "DATASET",
    "DUMPS",
    "describe",
    "void_turtle",
    "dump",
    "Overview",
    "overview",
    "report_html",
]

#: The named graph that holds the description when it travels with the data (``coopgraph export --describe``).
DESCRIPTION_GRAPH = ids.graph("void")
#: The dataset described: every data graph of a build.
DATASET = URIRef(f"{DESCRIPTION_GRAPH}#dataset")
#: The dumps the main job writes, described as DCAT distributions.
DUMPS = ("coop.ttl", "coop.trig", "coop.jsonld")

_TITLE = {
    "en": "coopgraph: a knowledge graph of academic cooperation",
    "ru": "coopgraph: граф знаний об академическом сотрудничестве",
}
_DESCRIPTION = {
    "en": "Visits and delegations, institutions and their units, people and their posts, agreements, joint "
    "programmes and mobility, as stated by their sources (one named graph per source document), and the "
    "cooperation between institutions derived from them.",
    "ru": "Визиты и делегации, организации и подразделения, люди и должности, соглашения, совместные программы "
    "и мобильность — как их описывают источники (по именованному графу на документ), и выведенные из них связи "
    "сотрудничества организаций.",
}
_DERIVED_TITLE = {
    "en": "cooperation derived by the rules of queries/rules",
    "ru": "сотрудничество, выведенное правилами queries/rules",
}
_IANA = "https://www.iana.org/assignments/media-types/"
#: The report lists at most this many sources, cooperating pairs and institutions (the first by weight).
ROWS = 200
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")


# --------------------------------------------------------------------------------------------------
# VoID and DCAT


def _data_graphs(store: Store) -> list[Graph]:
    """The store's named graphs that hold data (a description graph left out), by name."""
    graphs = store.dataset().graphs()
    return sorted((g for g in graphs if len(g) and g.identifier != DESCRIPTION_GRAPH), key=lambda g: str(g.identifier))


def _union(graphs: list[Graph]) -> Graph:
    union = bind_prefixes(Graph())
    for graph in graphs:
        for triple in graph:
            union.add(triple)
    return union


def _curie(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _slug(iri: str) -> str:
    curie = _curie(iri)
    if curie != iri and re.fullmatch(r"[A-Za-z0-9_-]+:[A-Za-z0-9_.-]+", curie):
        return curie.replace(":", "-")
    return hashlib.sha256(iri.encode("utf-8")).hexdigest()[:16]


def _latest_date(values: Iterable[Literal]) -> Literal | None:
    """The latest of some dates or date-times, as a date (or the year-month, or year, it is known to)."""
    found = sorted({m.group(0) for v in values if (m := _DATE.match(str(v)))}, key=lambda d: (d + "-00-00")[:10])
    if not found:
        return None
    latest = found[-1]
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}[len(latest)]
    return Literal(latest, datatype=datatype)


@dataclass
class _Counts:
    triples: int = 0
    subjects: set = field(default_factory=set)
    objects: set = field(default_factory=set)
    properties: Counter = field(default_factory=Counter)
    classes: dict = field(default_factory=dict)


def _count(graphs: list[Graph]) -> _Counts:
    """Distinct triples of the union, and what they are made of."""
    seen: set[tuple] = set()
    counts = _Counts()
    for graph in graphs:
        for triple in graph:
            if triple in seen:
                continue
            seen.add(triple)
            s, p, o = triple
            counts.subjects.add(s)
            counts.objects.add(o)
            counts.properties[p] += 1
            if p == RDF.type:
                counts.classes.setdefault(o, set()).add(s)
    counts.triples = len(seen)
    return counts


def _value(graphs: list[Graph], subject: URIRef, predicate: URIRef) -> list:
    return sorted({o for g in graphs for o in g.objects(subject, predicate)}, key=str)


def describe(
    store: Store,
    *,
    endpoint: str | None = None,
    dumps: Iterable[str] = DUMPS,
    download_base: str | None = None,
) -> Graph:
    """A VoID and DCAT description of a dataset, named :data:`DESCRIPTION_GRAPH`.

    The dataset :data:`DATASET` gets a title, description, license and creator (those of the
    ontology), ``dcterms:modified`` (the latest date the data states), the vocabularies it uses,
    ``void:triples`` (distinct statements of the union of the data graphs), ``void:entities``
    (subjects in coopgraph's id space), one ``void:classPartition`` per class with its
    ``void:entities``, one ``void:propertyPartition`` per property with its ``void:triples``, one
    ``void:subset`` per named graph (its triples, its source document's title, date, publisher
    and file), and one ``dcat:Distribution`` per dump file.

    Parameters
    ----------
    store : what to describe (a graph named :data:`DESCRIPTION_GRAPH` in it is left out)
    endpoint : the URL of a SPARQL endpoint serving the data, when there is one
    dumps : file names of the dumps to list as distributions
    download_base : the URL the dumps are published under (gives each a ``dcat:downloadURL``)

    Returns
    -------
    rdflib.Graph
        the description, with coopgraph's prefixes bound

    Examples
    --------
    >>> from coopgraph.stores import open_store
    >>> void = describe(open_store("memory", sources=["data"]))
    >>> from rdflib.namespace import VOID
    >>> int(void.value(DATASET, VOID.triples)) > 0
    True
    """
    graphs = _data_graphs(store)
    counts = _count(graphs)
    ontology = resources.ontology()
    ontology_iri = next(iter(sorted(ontology.subjects(RDF.type, OWL.Ontology))), None)
    d = bind_prefixes(Graph(identifier=DESCRIPTION_GRAPH))
    d.bind("void", str(VOID), override=True, replace=True)
    d.add((DATASET, RDF.type, VOID.Dataset))
    d.add((DATASET, RDF.type, DCAT.Dataset))
    for language, text in _TITLE.items():
        d.add((DATASET, DCTERMS.title, Literal(text, lang=language)))
    for language, text in _DESCRIPTION.items():
        d.add((DATASET, DCTERMS.description, Literal(text, lang=language)))
    if ontology_iri is not None:
        d.add((DATASET, DCTERMS.conformsTo, ontology_iri))
        for predicate in (DCTERMS.license, DCTERMS.creator):
            for value in ontology.objects(ontology_iri, predicate):
                d.add((DATASET, predicate, value))
    dates = [o for g in graphs for p in (DCTERMS.issued, DCTERMS.modified) for o in g.objects(None, p)]
    modified = _latest_date(dates)
    if modified is not None:
        d.add((DATASET, DCTERMS.modified, modified))
    d.add((DATASET, VOID.uriSpace, Literal(ids.ID_BASE)))
    used = {str(p) for p in counts.properties} | {str(c) for c in counts.classes}
    for prefix, namespace in sorted(PREFIXES.items()):
        if prefix not in ("cgid", "cgraph") and any(iri.startswith(namespace) for iri in used):
            d.add((DATASET, VOID.vocabulary, URIRef(namespace)))
    d.add((DATASET, VOID.triples, Literal(counts.triples)))
    d.add((DATASET, VOID.entities, Literal(sum(1 for s in counts.subjects if ids.is_entity(s)))))
    d.add((DATASET, VOID.distinctSubjects, Literal(len(counts.subjects))))
    d.add((DATASET, VOID.distinctObjects, Literal(len(counts.objects))))
    d.add((DATASET, VOID.properties, Literal(len(counts.properties))))
    d.add((DATASET, VOID.classes, Literal(len(counts.classes))))
    for cls, members in sorted(counts.classes.items(), key=lambda item: str(item[0])):
        partition = URIRef(f"{DESCRIPTION_GRAPH}#class-{_slug(str(cls))}")
        d.add((DATASET, VOID.classPartition, partition))
        d.add((partition, VOID["class"], cls))
        d.add((partition, VOID.entities, Literal(len(members))))
    for prop, count in sorted(counts.properties.items(), key=lambda item: str(item[0])):
        partition = URIRef(f"{DESCRIPTION_GRAPH}#property-{_slug(str(prop))}")
        d.add((DATASET, VOID.propertyPartition, partition))
        d.add((partition, VOID.property, prop))
        d.add((partition, VOID.triples, Literal(count)))
    visits = sorted(counts.classes.get(COOP.Visit, ()), key=str)
    if visits:
        d.add((DATASET, VOID.exampleResource, visits[0]))
    for graph in graphs:
        _describe_subset(d, graph, graphs)
    for name in dumps:
        _describe_dump(d, name, download_base)
    if endpoint:
        service = URIRef(f"{DESCRIPTION_GRAPH}#sparql")
        d.add((DATASET, VOID.sparqlEndpoint, URIRef(endpoint)))
        d.add((service, RDF.type, DCAT.DataService))
        d.add((service, DCAT.endpointURL, URIRef(endpoint)))
        d.add((service, DCAT.servesDataset, DATASET))
        d.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    return d


def _describe_subset(d: Graph, graph: Graph, graphs: list[Graph]) -> None:
    name = graph.identifier
    d.add((DATASET, VOID.subset, name))
    d.add((name, RDF.type, VOID.Dataset))
    d.add((name, VOID.triples, Literal(len(graph))))
    d.add((name, VOID.entities, Literal(len({s for s in graph.subjects() if ids.is_entity(s)}))))
    for file_name in graph.objects(name, COOP.fileName):
        d.add((name, COOP.fileName, file_name))
    documents = [doc for doc in graph.objects(name, PROV.wasDerivedFrom) if ids.is_entity(doc)]
    for document in documents:
        d.add((name, DCTERMS.source, document))
        for predicate in (DCTERMS.title, DCTERMS.issued, DCTERMS.publisher, DCTERMS.language):
            for value in _value(graphs, document, predicate):
                d.add((name, predicate, value))
    if not documents:
        for language, text in _DERIVED_TITLE.items():
            d.add((name, DCTERMS.title, Literal(text, lang=language)))


def _describe_dump(d: Graph, name: str, download_base: str | None) -> None:
    fmt = export.FORMATS[export.format_of(name)]
    distribution = URIRef(f"{DESCRIPTION_GRAPH}#dump-{re.sub(r'[^A-Za-z0-9_.-]', '-', name)}")
    d.add((DATASET, DCAT.distribution, distribution))
    d.add((distribution, RDF.type, DCAT.Distribution))
    d.add((distribution, DCTERMS.title, Literal(name)))
    d.add((distribution, DCTERMS.description, Literal(
        f"{fmt.label}: {'one named graph per source' if fmt.named_graphs else 'the union of all graphs'}", lang="en"
    )))
    d.add((distribution, DCAT.mediaType, URIRef(_IANA + fmt.media_type)))
    if download_base:
        url = URIRef(download_base.rstrip("/") + "/" + name)
        d.add((distribution, DCAT.downloadURL, url))
        d.add((DATASET, VOID.dataDump, url))


def void_turtle(store: Store, *, description: Graph | None = None, **options) -> bytes:
    """:func:`describe` as Turtle (same bytes for the same data); ``options`` go to :func:`describe`.

    ``description``: the description if already made (it is then written as it is).
    """
    if description is None:
        description = describe(store, **options)
    description.bind("cgvoid", f"{DESCRIPTION_GRAPH}#", override=True, replace=True)
    return description.serialize(format="turtle", encoding="utf-8")


def dump(store: Store, *, format: str = "turtle", with_description: bool = False, endpoint: str | None = None) -> bytes:
    """What a store holds, in one RDF format (``coopgraph export``).

    Parameters
    ----------
    store : the store (a memory store built from sources is validated by the caller: see
        :func:`coopgraph.pipeline.export`)
    format : one of :data:`coopgraph.export.FORMATS`
    with_description : add the VoID/DCAT description as the graph :data:`DESCRIPTION_GRAPH`
    endpoint : a SPARQL endpoint to name in the description

    Raises
    ------
    CoopgraphError
        for an unknown format
    """
    if format not in export.FORMATS:
        raise CoopgraphError(f"unknown RDF format '{format}' — use one of {', '.join(export.FORMATS)}")
    graphs = _data_graphs(store)
    if with_description:
        graphs.append(describe(store, endpoint=endpoint))
    return export.serialize(graphs, format)


# --------------------------------------------------------------------------------------------------
# the report


@dataclass
class Overview:
    """What the report shows, in plain Python values (labels in English when the data has them)."""

    title: str
    modified: str | None
    triples: int
    entities: int
    classes: list[tuple[str, str, str, int]]  # (curie, English label, Russian label, entities)
    sources: list[dict[str, str | int]]  # graph, title, issued, publisher, language, file, triples
    institutions: list[dict[str, str | int]]  # id, name, country, city, partners
    pairs: list[dict[str, str | int]]  # a, b, kinds, first, last, weight
    vocabularies: list[str]
    network: nx.Graph


def _label(graphs: list[Graph], iri: object, language: str = "en") -> str:
    names = [o for g in graphs for o in g.objects(iri, SKOS.prefLabel)]  # type: ignore[arg-type]
    names += [o for o in resources.vocabulary().objects(iri, RDFS.label)]  # type: ignore[arg-type]
    names += [o for o in resources.vocabulary().objects(iri, SKOS.prefLabel)]  # type: ignore[arg-type]
    ranked = sorted(names, key=lambda n: (getattr(n, "language", None) != language, str(n)))
    return str(ranked[0]) if ranked else (ids.local_id(iri) if isinstance(iri, URIRef) else str(iri))


def _term_label(term: object, language: str) -> str:
    """A term's label in the ontology in one language, or nothing (terms of other vocabularies)."""
    ontology = resources.vocabulary()
    labels = [o for p in (RDFS.label, SKOS.prefLabel) for o in ontology.objects(term, p)]  # type: ignore[arg-type]
    return next((str(label) for label in sorted(labels) if getattr(label, "language", None) == language), "")


def _titles(d: Graph, subject: URIRef) -> str:
    titles = sorted(d.objects(subject, DCTERMS.title), key=lambda t: (t.language not in ("en", None), str(t)))
    return str(titles[0]) if titles else ""


def overview(store: Store, *, description: Graph | None = None) -> Overview:
    """The numbers and lists the report shows, from what a store holds and its description."""
    graphs = _data_graphs(store)
    return _overview(store, graphs, _union(graphs), description if description is not None else describe(store))


def _overview(store: Store, graphs: list[Graph], union: Graph, d: Graph) -> Overview:
    classes = []
    for partition in d.objects(DATASET, VOID.classPartition):
        cls = d.value(partition, VOID["class"])
        count = int(d.value(partition, VOID.entities))
        classes.append((_curie(str(cls)), _term_label(cls, "en"), _term_label(cls, "ru"), count))
    classes.sort(key=lambda c: (not c[0].startswith("coop:"), c[0]))
    sources = []
    for subset in sorted(d.objects(DATASET, VOID.subset), key=str):
        publisher = d.value(subset, DCTERMS.publisher)
        issued = d.value(subset, DCTERMS.issued)
        sources.append({
            "graph": str(subset),
            "id": str(subset).removeprefix(ids.GRAPH_BASE),
            "title": _titles(d, subject=subset),
            "issued": str(issued).replace("T", " ") if issued is not None else "",
            "publisher": _label(graphs, publisher) if publisher is not None else "",
            "language": ", ".join(str(v) for v in d.objects(subset, DCTERMS.language)),
            "file": ", ".join(sorted(str(v) for v in d.objects(subset, COOP.fileName))),
            "triples": int(d.value(subset, VOID.triples)),
        })
    G = network.institution_network(store)
    institutions = [
        {
            "id": key,
            "name": str(attrs.get("label") or key),
            "country": str(attrs.get("country") or ""),
            "city": str(attrs.get("city") or ""),
            "partners": G.degree(key),
        }
        for key, attrs in sorted(G.nodes(data=True), key=lambda n: (-G.degree(n[0]), str(n[1].get("label"))))
    ]
    pairs = [
        {
            "a": str(G.nodes[u].get("label") or u),
            "b": str(G.nodes[v].get("label") or v),
            "kinds": ", ".join(attrs.get("kinds", [])),
            "first": attrs.get("first_year") or "",
            "last": attrs.get("last_year") or "",
            "weight": attrs.get("weight", 0),
        }
        for u, v, attrs in sorted(G.edges(data=True), key=lambda e: (-e[2].get("weight", 0), str(e[0]), str(e[1])))
    ]
    modified = d.value(DATASET, DCTERMS.modified)
    return Overview(
        title=_TITLE["en"],
        modified=str(modified) if modified is not None else None,
        triples=int(d.value(DATASET, VOID.triples)),
        entities=int(d.value(DATASET, VOID.entities)),
        classes=classes,
        sources=sources,
        institutions=institutions,
        pairs=pairs,
        vocabularies=sorted(str(v) for v in d.objects(DATASET, VOID.vocabulary)),
        network=G,
    )


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


_CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def _script_policy(page: str) -> str:
    """The script-src of an embedded page's own policy: what the report must allow for the frame to run."""
    found = _CSP_META.search(page)
    if found:
        for directive in html.unescape(found.group(1)).split(";"):
            if directive.strip().startswith("script-src "):
                return directive.strip()
    raise ValueError("the network page has no Content-Security-Policy with a script-src to embed it under")


def report_html(store: Store, *, description: Graph | None = None) -> str:
    """One self-contained HTML page that sums the data up for people; it loads nothing from the network.

    It shows the counts, the institution network (the interactive page of :func:`render.html_document`,
    embedded as a frame), the timeline (SVG, embedded), the sources (title, date, publisher, file,
    statements), the cooperating pairs and the entities per class. All data text is escaped.

    Parameters
    ----------
    store : what the report sums up
    description : its VoID description, if already made (default: :func:`describe` of ``store``)
    """
    graphs = _data_graphs(store)
    union = _union(graphs)
    view = _overview(store, graphs, union, description if description is not None else describe(store))
    network_page = render.html_document(view.network, title="coopgraph: institution network")
    svg = timeline.render(store, format="svg")
    picture = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    policy = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
        f"{_script_policy(network_page)}; frame-src 'self'; base-uri 'none'; form-action 'none'"
    )
    cards = [
        (view.triples, "statements"),
        (len(view.sources), "sources"),
        (view.entities, "entities"),
        (len(view.institutions), "institutions"),
        (len(view.pairs), "cooperating pairs"),
    ]
    counts = dict((c[0], c[3]) for c in view.classes)
    for curie, noun in (("coop:Visit", "visits"), ("coop:Agreement", "agreements"), ("coop:Mobility", "mobility flows")):
        if curie in counts:
            cards.append((counts[curie], noun))
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        f'<meta http-equiv="Content-Security-Policy" content="{_e(policy)}">\n',
        '<meta name="referrer" content="no-referrer">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{_e(view.title)} — report</title>\n<style>{_REPORT_CSS}</style>\n</head>\n<body>\n<main>\n",
        f"<header><h1>{_e(view.title)}</h1>\n<p class=\"meta\">",
        f"Data as of {_e(view.modified)} · " if view.modified else "",
        f"built by coopgraph {_e(__version__)} · the files beside this page: coop.ttl, coop.trig, coop.jsonld, "
        "void.ttl, graph.html, timeline.svg</p></header>\n",
        '<section class="cards">',
        "".join(f'<div class="card"><b>{_e(n)}</b><span>{_e(label)}</span></div>' for n, label in cards),
        "</section>\n",
        "<section><h2>Institution network</h2>\n<p class=\"hint\">Institutions (coloured by country) and "
        "the cooperation derived between them; edge width is the number of pieces of evidence. Drag, zoom, "
        "hover or click for details. The same page is <code>graph.html</code>.</p>\n",
        f'<iframe class="network" title="Institution network" srcdoc="{_e(network_page)}"></iframe>\n</section>\n',
        "<section><h2>Timeline</h2>\n",
        f'<img class="timeline" alt="Cooperation events per year and kind" src="{picture}">\n</section>\n',
        "<section><h2>Sources</h2>\n<p class=\"hint\">One named graph per source document.</p>\n",
        _table(
            ["source", "published", "publisher", "language", "file", "statements"],
            [
                [
                    f'<span class="title">{_e(s["title"])}</span><br><code>{_e(s["id"])}</code>',
                    _e(s["issued"]), _e(s["publisher"]), _e(s["language"]), f"<code>{_e(s['file'])}</code>",
                    _e(s["triples"]),
                ]
                for s in view.sources
            ],
            numeric={5},
            limit=ROWS,
        ),
        "</section>\n<section><h2>Cooperation</h2>\n<p class=\"hint\">Pairs of institutions and the kinds of "
        "evidence that link them, derived by the rules of <code>queries/rules</code>.</p>\n",
        _table(
            ["institution", "partner", "kinds of evidence", "from", "to", "evidence"],
            [[_e(p["a"]), _e(p["b"]), _e(p["kinds"]), _e(p["first"]), _e(p["last"]), _e(p["weight"])] for p in view.pairs],
            numeric={3, 4, 5},
            limit=ROWS,
        ),
        "<h3>Institutions</h3>\n",
        _table(
            ["institution", "country", "city", "partners"],
            [[_e(i["name"]), _e(i["country"]), _e(i["city"]), _e(i["partners"])] for i in view.institutions],
            numeric={3},
            limit=ROWS,
        ),
        "</section>\n<section><h2>Entities per class</h2>\n",
        _table(
            ["class", "label", "по-русски", "entities"],
            [[f"<code>{_e(c)}</code>", _e(en), _e(ru), _e(n)] for c, en, ru, n in view.classes],
            numeric={3},
        ),
        "<p class=\"hint\">Vocabularies used: ",
        ", ".join(f"<code>{_e(v)}</code>" for v in view.vocabularies),
        ". The same counts, machine-readable, are in <code>void.ttl</code> (VoID and DCAT).</p>\n</section>\n",
        "</main>\n</body>\n</html>\n",
    ]
    return "".join(parts)


def _table(header: list[str], rows: list[list[str]], *, numeric: frozenset[int] | set[int] = frozenset(),
           limit: int | None = None) -> str:
    """A table from cells that are already escaped HTML; past ``limit`` rows, a line says how many more."""
    more = len(rows) - limit if limit is not None and len(rows) > limit else 0
    rows = rows[:limit] if more else rows
    def cell(tag: str, i: int, text: str) -> str:
        return f'<{tag} class="num">{text}</{tag}>' if i in numeric else f"<{tag}>{text}</{tag}>"

    head = "".join(cell("th", i, _e(h)) for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>\n" for row in rows)
    if not rows:
        body = f'<tr><td colspan="{len(header)}" class="empty">none</td></tr>\n'
    if more:
        note = f"… and {more} more (all of them: coopgraph query, void.ttl)"
        body += f'<tr><td colspan="{len(header)}" class="empty">{_e(note)}</td></tr>\n'
    return f"<table><thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody></table>\n"


_REPORT_CSS = """
:root { color-scheme: light; --ink: #1d2733; --muted: #5b6875; --line: #dde3ea; --accent: #0072b2; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
       color: var(--ink); background: #f5f7fa; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
.meta, .hint { color: var(--muted); margin: 0 0 12px; font-size: 13.5px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px; margin: 18px 0; }
section.cards { display: flex; flex-wrap: wrap; gap: 12px; background: none; border: 0; padding: 0; }
.card { flex: 1 1 110px; background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; }
.card b { display: block; font-size: 26px; color: var(--accent); }
.card span { color: var(--muted); font-size: 13px; }
h2 { margin: 0 0 8px; font-size: 19px; }
h3 { margin: 14px 0 4px; font-size: 16px; }
iframe.network { width: 100%; height: 560px; border: 1px solid var(--line); border-radius: 8px; }
img.timeline { max-width: 100%; height: auto; display: block; margin: 0 auto; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
th { font-weight: 600; color: var(--muted); background: #f8fafc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.empty { color: var(--muted); font-style: italic; }
.title { font-weight: 500; }
td code { overflow-wrap: anywhere; }
code { font: 12.5px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; color: #38424d; }
"""
