"""What is published beside the dumps: a VoID and DCAT description of the dataset, and a report page.

The description (:func:`describe`) counts what the data graphs hold — triples, entities per class,
statements per property, one ``void:subset`` per named graph with its source and its licence or
rights, one ``void:Linkset`` per dataset linked to and link predicate — and is dated by the data
(the latest ``dcterms:issued`` or ``dcterms:modified`` in it), never by the clock, so that two builds
of the same data write the same bytes. It describes the data graphs, not itself: its own statements
are not counted. What it says about the dataset as published — title, publisher, contact point,
version, landing page, download base, endpoint, licences, the datasets linked to — comes from
``ontology/dataset.yaml`` (:func:`read_metadata`), so that publishing under another name takes no code.

The report (:func:`report_html`) is one self-contained page for people: counts, the institution
network (the interactive page of :mod:`coopgraph.render`, embedded), the timeline picture, the
sources, the cooperating pairs. Every text from the data is escaped.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import networkx as nx
import yaml
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, SKOS, VOID

from coopgraph import __version__, export, ids, network, render, resources, timeline
from coopgraph.dataset import DERIVED_GRAPH, bind_prefixes, published
from coopgraph.errors import CoopgraphError, SourceError
from coopgraph.namespaces import COOP, PREFIXES
from coopgraph.sources.guard import compose_yaml
from coopgraph.sources.text import read_text
from coopgraph.sources.yamlld import LANGUAGES
from coopgraph.stores import Store

__all__ = [
    "DESCRIPTION_GRAPH",
    "DATASET",
    "DUMPS",
    "METADATA",
    "DatasetMetadata",
    "LinkedDataset",
    "read_metadata",
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

#: What the description says about the dataset as published (read by :func:`read_metadata`).
METADATA = resources.ontology_path("dataset.yaml")

_DERIVED_TITLE = {
    "en": "cooperation derived by the rules of queries/rules",
    "ru": "сотрудничество, выведенное правилами queries/rules",
}
#: vCard (the range of ``dcat:contactPoint``); rdflib 7.6 has no namespace for it.
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
#: ``dcat:version`` is DCAT 3, newer than rdflib 7.6's DCAT namespace.
_DCAT_VERSION = URIRef(f"{DCAT}version")
_IANA = "https://www.iana.org/assignments/media-types/"
#: The report lists at most this many sources, cooperating pairs and institutions (the first by weight).
ROWS = 200
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")


# --------------------------------------------------------------------------------------------------
# what is said about the dataset as published: ontology/dataset.yaml


@dataclass(frozen=True)
class LinkedDataset:
    """A dataset the data links to or is derived from (ROR, Wikidata, GeoNames), with its terms."""

    key: str  # its name in the metadata file, and in the description: …/graph/void#linked-KEY
    title: str
    homepage: str
    uri_space: str  # the start of its IRIs
    license: str
    attribution: str | None = None  # the credit its licence asks for

    def holds(self, iri: object) -> bool:
        """Whether an IRI is one of this dataset's."""
        return isinstance(iri, URIRef) and str(iri).startswith(self.uri_space)


@dataclass(frozen=True)
class DatasetMetadata:
    """What the description says about the dataset as published; texts are language → text."""

    title: dict[str, str]
    description: dict[str, str]
    version: str
    homepage: str
    publisher: str
    publisher_homepage: str | None
    contact: str
    contact_email: str | None
    contact_url: str | None
    license: str  # of the project's own statements
    rights: dict[str, str]  # of the whole
    quoted: dict[str, str]  # of a graph made from a document published by others; {publisher} is its name
    linked: tuple[LinkedDataset, ...] = ()
    download: str | None = None
    endpoint: str | None = None


_TEXTS = "text per language"
_SCHEMA: dict[str, tuple[str, bool]] = {  # key → (kind, required)
    "title": (_TEXTS, True),
    "description": (_TEXTS, True),
    "version": ("text", False),
    "homepage": ("URL", True),
    "download": ("URL", False),
    "endpoint": ("URL", False),
    "publisher": ("mapping", True),
    "contact": ("mapping", True),
    "license": ("URL", True),
    "rights": (_TEXTS, True),
    "quoted": (_TEXTS, True),
    "linked": ("mapping", False),
}
_PUBLISHER = {"name": ("text", True), "homepage": ("URL", False)}
_CONTACT = {"name": ("text", True), "email": ("email", False), "url": ("URL", False)}
_LINKED = {
    "title": ("text", True),
    "homepage": ("URL", True),
    "uriSpace": ("URL", True),
    "license": ("URL", True),
    "attribution": ("text", False),
}
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


class _MetadataReader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: yaml.Node | None, message: str) -> SourceError:
        return SourceError(self.path, node.start_mark.line + 1 if node is not None else None, message)

    def mapping(self, node: yaml.Node, schema: dict[str, tuple[str, bool]], what: str,
                key: yaml.Node | None = None) -> dict[str, object]:
        """The keys of a mapping (the value of ``key``, or the file), each value checked against the schema.

        An empty value is None. A missing key is reported on the line of ``key``, or for the whole file.
        """
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"expected {what} (keys and values), found {_yaml_kind(node)}")
        found: dict[str, object] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if name not in schema:
                close = difflib.get_close_matches(str(name), list(schema), n=1, cutoff=0.6)
                hint = f" — did you mean '{close[0]}'?" if close else f" — the keys are {', '.join(schema)}"
                raise self.fail(key_node, f"unknown key '{name}' in {what}{hint}")
            if name in found:
                raise self.fail(key_node, f"'{name}' is written twice in {what} — keep one")
            kind, required = schema[name]
            found[name] = self.value(name, value_node, kind)
            if required and found[name] is None:
                raise self.fail(key_node, f"'{name}' is empty in {what} — write {_article(kind)} {kind}")
        for name, (kind, required) in schema.items():
            if required and name not in found:
                raise self.fail(key, f"{what} has no '{name}' — add it ({_article(kind)} {kind})")
        return found

    def value(self, key: str, node: yaml.Node, kind: str) -> object:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return None
        if kind == _TEXTS:
            return self.texts(key, node)
        if kind == "mapping":
            return node
        if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
            raise self.fail(node, f"'{key}' is {_article(kind)} {kind} — write one value")
        text = node.value.strip()
        if kind == "URL":
            parts = urlsplit(text)
            if parts.scheme not in ("http", "https") or not parts.netloc or any(c in text for c in ' <>"{}|\\^`'):
                raise self.fail(node, f"'{text}' is not a URL for '{key}' — write it whole, e.g. https://example.org/")
        elif kind == "email" and not _EMAIL.match(text):
            raise self.fail(node, f"'{text}' is not an email address for '{key}' — write e.g. data@example.org")
        return text

    def texts(self, key: str, node: yaml.Node) -> dict[str, str]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"'{key}' is {_TEXTS} — write '{key}: {{en: ..., ru: ...}}'")
        found: dict[str, str] = {}
        for tag_node, text_node in node.value:
            tag = str(tag_node.value).lower()
            if tag.split("-")[0] not in LANGUAGES:
                raise self.fail(tag_node, f"unknown language tag '{tag_node.value}' in '{key}' — use one such as en, ru, zh")
            if not isinstance(text_node, yaml.ScalarNode) or not text_node.value.strip():
                raise self.fail(text_node, f"'{key}' in '{tag}' is empty — write the text, or leave the language out")
            found[tag] = " ".join(text_node.value.split())
        if "en" not in found:
            raise self.fail(node, f"'{key}' has no English text — add 'en: ...'")
        return found


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeio" else "a"  # an email address, a URL


def _yaml_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    return "a list" if isinstance(node, yaml.SequenceNode) else f"'{node.value}'"


def read_metadata(path: str | Path | None = None) -> DatasetMetadata:
    """What the description says about the dataset as published, read from a YAML file.

    Parameters
    ----------
    path : the file (default :data:`METADATA`, ``ontology/dataset.yaml``, which documents every key)

    Returns
    -------
    DatasetMetadata
        with ``version`` the package's own (``coopgraph.__version__``) when the file gives none

    Raises
    ------
    SourceError
        for a missing or unknown key, a text without English, a value that is not a URL or an email
        address: with the file, the line and what to write instead

    Examples
    --------
    >>> read_metadata().publisher
    'The coopgraph developers'
    """
    path = Path(path) if path is not None else METADATA
    root = compose_yaml(path, read_text(path))
    reader = _MetadataReader(path)
    if root is None:
        raise SourceError(path, 1, "the file is empty — see ontology/dataset.yaml for the keys")
    top = reader.mapping(root, _SCHEMA, "the dataset metadata")
    keys = {k.value: k for k, _ in root.value}  # type: ignore[union-attr]
    publisher = reader.mapping(top["publisher"], _PUBLISHER, "'publisher'", keys["publisher"])  # type: ignore[arg-type]
    contact = reader.mapping(top["contact"], _CONTACT, "'contact'", keys["contact"])  # type: ignore[arg-type]
    if contact.get("email") is None and contact.get("url") is None:
        raise reader.fail(keys["contact"], "'contact' has neither 'email' nor 'url' — give one: how to reach you")
    linked = []
    if top.get("linked") is not None:
        node = top["linked"]
        if not isinstance(node, yaml.MappingNode):
            raise reader.fail(node, f"'linked' is a mapping of datasets (ror: ...), found {_yaml_kind(node)}")  # type: ignore[arg-type]
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
                raise reader.fail(key_node, f"'{key}' is not a name for a linked dataset — use lower-case letters, digits "
                                  "and hyphens (ror, wikidata)")
            values = reader.mapping(value_node, _LINKED, f"'linked: {key}'", key_node)
            linked.append(LinkedDataset(key=key, title=str(values["title"]), homepage=str(values["homepage"]),
                                        uri_space=str(values["uriSpace"]), license=str(values["license"]),
                                        attribution=values.get("attribution")))  # type: ignore[arg-type]
    return DatasetMetadata(
        title=top["title"],  # type: ignore[arg-type]
        description=top["description"],  # type: ignore[arg-type]
        version=str(top.get("version") or __version__),
        homepage=str(top["homepage"]),
        publisher=str(publisher["name"]),
        publisher_homepage=publisher.get("homepage"),  # type: ignore[arg-type]
        contact=str(contact["name"]),
        contact_email=contact.get("email"),  # type: ignore[arg-type]
        contact_url=contact.get("url"),  # type: ignore[arg-type]
        license=str(top["license"]),
        rights=top["rights"],  # type: ignore[arg-type]
        quoted=top["quoted"],  # type: ignore[arg-type]
        linked=tuple(linked),
        download=top.get("download"),  # type: ignore[arg-type]
        endpoint=top.get("endpoint"),  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------------------------------
# VoID and DCAT


def _data_graphs(store: Store) -> list[Graph]:
    """The store's named graphs that hold data, by name: a description graph and the index graph (the
    query library's caches, :data:`coopgraph.dataset.INDEX_GRAPH`) left out."""
    graphs = store.dataset().graphs()
    return sorted((g for g in graphs if len(g) and g.identifier != DESCRIPTION_GRAPH and published(g.identifier)),
                  key=lambda g: str(g.identifier))


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
    links: Counter = field(default_factory=Counter)  # (linked dataset key, predicate) → statements


def _linked_to(linked: Iterable[LinkedDataset], triple: tuple) -> LinkedDataset | None:
    """The linked dataset a statement links an entity of ours to (``rdf:type`` is no link), if any."""
    s, p, o = triple
    if p == RDF.type or not ids.is_entity(s):
        return None
    return next((dataset for dataset in linked if dataset.holds(o)), None)


def _count(graphs: list[Graph], linked: Iterable[LinkedDataset] = ()) -> _Counts:
    """Distinct triples of the union, and what they are made of."""
    linked = tuple(linked)
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
            target = _linked_to(linked, triple)
            if target is not None:
                counts.links[(target.key, p)] += 1
    counts.triples = len(seen)
    return counts


def _value(graphs: list[Graph], subject: URIRef, predicate: URIRef) -> list:
    return sorted({o for g in graphs for o in g.objects(subject, predicate)}, key=str)


def _node(name: str) -> URIRef:
    """A node of the description itself: …/graph/void#NAME."""
    return URIRef(f"{DESCRIPTION_GRAPH}#{name}")


def _texts(d: Graph, subject: URIRef, predicate: URIRef, texts: dict[str, str]) -> None:
    for language, text in sorted(texts.items()):
        d.add((subject, predicate, Literal(text, lang=language)))


def _rights_statement(d: Graph, node: URIRef, texts: dict[str, str]) -> URIRef:
    d.add((node, RDF.type, DCTERMS.RightsStatement))
    _texts(d, node, RDFS.label, texts)
    return node


def describe(
    store: Store,
    *,
    endpoint: str | None = None,
    dumps: Iterable[str] = DUMPS,
    download_base: str | None = None,
    metadata: DatasetMetadata | None = None,
) -> Graph:
    """A VoID and DCAT description of a dataset, named :data:`DESCRIPTION_GRAPH`.

    The dataset :data:`DATASET` gets what ``metadata`` says — title, description, publisher (a
    ``foaf:Agent``), contact point (a vCard), ``dcat:version``, landing page, and a rights statement
    for the whole, whose licences are mixed — and from the data: its creator and ``conformsTo`` (those
    of the ontology), ``dcterms:modified`` (the latest date the data states), the vocabularies it
    uses, ``void:triples`` (distinct statements of the union of the data graphs), ``void:entities``
    (subjects in coopgraph's id space), one ``void:classPartition`` per class with its
    ``void:entities``, one ``void:propertyPartition`` per property with its ``void:triples``, one
    ``void:subset`` per named graph (its triples, its source document's title, date, publisher and
    file, and its licence or rights: see :func:`_describe_subset`), one ``void:Linkset`` (also a
    subset) per linked dataset and link predicate with its ``void:triples``, the linked datasets with
    their licences, and one ``dcat:Distribution`` per dump file with its ``dcat:accessURL``.

    Parameters
    ----------
    store : what to describe (a graph named :data:`DESCRIPTION_GRAPH` in it is left out)
    endpoint : the URL of a SPARQL endpoint serving the data (default: the metadata's, if any)
    dumps : file names of the dumps to list as distributions
    download_base : the URL the dumps are published under, giving each a ``dcat:downloadURL``
        (default: the metadata's ``download``; with neither, each dump's access URL is the landing page)
    metadata : what to say about the dataset as published (default: :func:`read_metadata` of
        ``ontology/dataset.yaml``)

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
    meta = metadata if metadata is not None else read_metadata()
    endpoint = endpoint or meta.endpoint
    download_base = download_base or meta.download
    graphs = _data_graphs(store)
    counts = _count(graphs, meta.linked)
    ontology = resources.ontology()
    ontology_iri = next(iter(sorted(ontology.subjects(RDF.type, OWL.Ontology))), None)
    d = bind_prefixes(Graph(identifier=DESCRIPTION_GRAPH))
    d.bind("void", str(VOID), override=True, replace=True)
    d.bind("vcard", str(VCARD), override=True, replace=True)
    d.add((DATASET, RDF.type, VOID.Dataset))
    d.add((DATASET, RDF.type, DCAT.Dataset))
    _texts(d, DATASET, DCTERMS.title, meta.title)
    _texts(d, DATASET, DCTERMS.description, meta.description)
    if ontology_iri is not None:
        d.add((DATASET, DCTERMS.conformsTo, ontology_iri))
        for value in ontology.objects(ontology_iri, DCTERMS.creator):
            d.add((DATASET, DCTERMS.creator, value))
    _describe_publication(d, meta)
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
        partition = _node(f"class-{_slug(str(cls))}")
        d.add((DATASET, VOID.classPartition, partition))
        d.add((partition, VOID["class"], cls))
        d.add((partition, VOID.entities, Literal(len(members))))
    for prop, count in sorted(counts.properties.items(), key=lambda item: str(item[0])):
        partition = _node(f"property-{_slug(str(prop))}")
        d.add((DATASET, VOID.propertyPartition, partition))
        d.add((partition, VOID.property, prop))
        d.add((partition, VOID.triples, Literal(count)))
    visits = sorted(counts.classes.get(COOP.Visit, ()), key=str)
    if visits:
        d.add((DATASET, VOID.exampleResource, visits[0]))
    used_linked: set[str] = {key for key, _ in counts.links}
    for graph in graphs:
        used_linked |= _describe_subset(d, graph, graphs, meta)
    for linked in meta.linked:
        if linked.key in used_linked:
            _describe_linked(d, linked)
    for (key, predicate), count in sorted(counts.links.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        _describe_linkset(d, next(x for x in meta.linked if x.key == key), predicate, count)
    for name in dumps:
        _describe_dump(d, name, download_base, meta)
    if endpoint:
        service = _node("sparql")
        d.add((DATASET, VOID.sparqlEndpoint, URIRef(endpoint)))
        d.add((service, RDF.type, DCAT.DataService))
        d.add((service, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
        d.add((service, DCAT.endpointURL, URIRef(endpoint)))
        d.add((service, DCAT.servesDataset, DATASET))
        d.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    return d


def _describe_publication(d: Graph, meta: DatasetMetadata) -> None:
    """Publisher, contact point, version, landing page and the rights of the whole."""
    publisher = _node("publisher")
    d.add((DATASET, DCTERMS.publisher, publisher))
    d.add((publisher, RDF.type, FOAF.Agent))
    d.add((publisher, FOAF.name, Literal(meta.publisher)))
    if meta.publisher_homepage:
        d.add((publisher, FOAF.homepage, URIRef(meta.publisher_homepage)))
    contact = _node("contact")
    d.add((DATASET, DCAT.contactPoint, contact))
    d.add((contact, RDF.type, VCARD.Kind))
    d.add((contact, RDF.type, VCARD.Organization))
    d.add((contact, VCARD.fn, Literal(meta.contact)))
    if meta.contact_email:
        d.add((contact, VCARD.hasEmail, URIRef(f"mailto:{meta.contact_email}")))
    if meta.contact_url:
        d.add((contact, VCARD.hasURL, URIRef(meta.contact_url)))
    d.add((DATASET, _DCAT_VERSION, Literal(meta.version)))
    d.add((DATASET, DCAT.landingPage, URIRef(meta.homepage)))
    d.add((DATASET, DCTERMS.rights, _rights_statement(d, _node("rights"), meta.rights)))


def _describe_subset(d: Graph, graph: Graph, graphs: list[Graph], meta: DatasetMetadata) -> set[str]:
    """One named graph as a ``void:subset``, with its licence or rights; returns the linked datasets it uses.

    The project's own graphs — a curated registry (its source document a ``coop:Registry``) and the
    derived graph — get the project's ``dcterms:license``. A graph made from a document published by
    others (a news item) gets no licence, which coopgraph cannot grant, but a ``dcterms:rights``
    statement (the metadata's ``quoted``, with the publisher's name) and the publisher as
    ``dcterms:rightsHolder``. A graph that links to a linked dataset, or whose document was compiled
    from its records, uses it: compiled from it, the subset is ``prov:wasDerivedFrom`` it; holding its
    data, the subset's rights carry the attribution its licence asks for.
    """
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
    registry = any((doc, RDF.type, COOP.Registry) in g for doc in documents for g in graphs)
    if name == DERIVED_GRAPH or registry:
        d.add((name, DCTERMS.license, URIRef(meta.license)))
    elif documents:
        publishers = sorted({p for doc in documents for p in _value(graphs, doc, DCTERMS.publisher)}, key=str)
        texts = {
            language: text.replace("{publisher}", ", ".join(_label(graphs, p, language) for p in publishers) or "?")
            for language, text in meta.quoted.items()
        }
        d.add((name, DCTERMS.rights, _rights_statement(d, _node(f"rights-{_graph_slug(name)}"), texts)))
        for publisher in publishers:
            d.add((name, DCTERMS.rightsHolder, publisher))
    records = {record for doc in documents for g in graphs for record in g.objects(doc, PROV.wasDerivedFrom)}
    linked_to = {target.key for triple in graph if (target := _linked_to(meta.linked, triple)) is not None}
    used: set[str] = set()
    for linked in meta.linked:
        if any(linked.holds(record) for record in records):
            d.add((name, PROV.wasDerivedFrom, _node(f"linked-{linked.key}")))
            used.add(linked.key)
        if linked.key in linked_to:
            used.add(linked.key)
        if linked.key in used and linked.attribution:
            d.add((name, DCTERMS.rights, _node(f"linked-{linked.key}-attribution")))
    return used


def _graph_slug(name: URIRef) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", str(name).removeprefix(ids.GRAPH_BASE))


def _describe_linked(d: Graph, linked: LinkedDataset) -> None:
    """A dataset the data links to or is compiled from, with its own licence (and attribution)."""
    node = _node(f"linked-{linked.key}")
    d.add((node, RDF.type, VOID.Dataset))
    d.add((node, DCTERMS.title, Literal(linked.title)))
    d.add((node, FOAF.homepage, URIRef(linked.homepage)))
    d.add((node, VOID.uriSpace, Literal(linked.uri_space)))
    d.add((node, DCTERMS.license, URIRef(linked.license)))
    if linked.attribution:
        attribution = _rights_statement(d, _node(f"linked-{linked.key}-attribution"), {"en": linked.attribution})
        d.add((node, DCTERMS.rights, attribution))


def _describe_linkset(d: Graph, linked: LinkedDataset, predicate: URIRef, count: int) -> None:
    """The statements of one predicate that link entities of ours to one linked dataset."""
    linkset = _node(f"linkset-{linked.key}-{_slug(str(predicate))}")
    target = _node(f"linked-{linked.key}")
    d.add((DATASET, VOID.subset, linkset))
    d.add((linkset, RDF.type, VOID.Linkset))
    d.add((linkset, DCTERMS.title, Literal(f"{_curie(str(predicate))} links to {linked.title}", lang="en")))
    d.add((linkset, VOID.linkPredicate, predicate))
    d.add((linkset, VOID.subjectsTarget, DATASET))
    d.add((linkset, VOID.objectsTarget, target))
    d.add((linkset, VOID.target, DATASET))
    d.add((linkset, VOID.target, target))
    d.add((linkset, VOID.triples, Literal(count)))


def _describe_dump(d: Graph, name: str, download_base: str | None, meta: DatasetMetadata) -> None:
    fmt = export.FORMATS[export.format_of(name)]
    distribution = _node(f"dump-{re.sub(r'[^A-Za-z0-9_.-]', '-', name)}")
    d.add((DATASET, DCAT.distribution, distribution))
    d.add((distribution, RDF.type, DCAT.Distribution))
    d.add((distribution, DCTERMS.title, Literal(name)))
    d.add((distribution, DCTERMS.description, Literal(
        f"{fmt.label}: {'one named graph per source' if fmt.named_graphs else 'the union of all graphs'}", lang="en"
    )))
    d.add((distribution, DCAT.mediaType, URIRef(_IANA + fmt.media_type)))
    d.add((distribution, DCTERMS.rights, _node("rights")))
    if download_base:
        url = URIRef(download_base.rstrip("/") + "/" + name)
        d.add((distribution, DCAT.downloadURL, url))
        d.add((distribution, DCAT.accessURL, url))
        d.add((DATASET, VOID.dataDump, url))
    else:
        d.add((distribution, DCAT.accessURL, URIRef(meta.homepage)))


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
        if (subset, RDF.type, VOID.Linkset) in d:
            continue
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
        title=_titles(d, DATASET),
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
