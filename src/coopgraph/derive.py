"""The derived and index graphs: what the files of ``queries/rules/`` conclude from the sources.

Into the derived graph (:data:`~coopgraph.dataset.DERIVED_GRAPH`, published with the data):

- **rules** (``queries/rules/*.rq``, CONSTRUCT): one ``coop:Cooperation`` per pair of institutions
  and kind, with its evidence, years and sources; ``coop:cooperatesWith`` between partners; each
  ``skos:prefLabel`` again as ``rdfs:label`` (what generic tools show).

Into the index graph (:data:`~coopgraph.dataset.INDEX_GRAPH`, the query library's caches, left out of
every dump):

- **summaries** (``queries/rules/summaries/*.rq``, CONSTRUCT): what the library would otherwise
  recompute from the whole graph at each question — facts per year and kind, trips per traveller,
  cooperation per pair of countries, and each entity's one display label (``coop:displayLabel``: the
  English ``skos:prefLabel``, else the first in code point order);
- **orders**: ``coop:labelOrder`` numbers every institution and person in the order of its display
  label (none first; ties by IRI), and each ``queries/rules/orders/*.rq`` numbers the entities of
  its first column, in the order of its ``ORDER BY``, under the property its ``#+ numbers:`` line
  names. The library's listings sort and page by these integers: Oxigraph reads a string from disk
  at every comparison of a sort (ORDER BY two labels of 22k cooperations: 0.85 s at 1M triples), and
  compares integers in place.

They run in two stages. First every rule, summary and order file that reads the sources only; then,
side by side, those whose header says ``#+ reads: derived`` (they read what the first stage derived
too; an order file, and ``coop:labelOrder``, read no further than the first stage).

An order file is a SELECT whose ``ORDER BY`` is a list of ``?var``, ``ASC(?var)`` or ``DESC(?var)``.
coopgraph runs it without the ``ORDER BY`` and sorts the rows itself, as SPARQL would: unbound
first, then IRIs (an institution's or a person's by its display label, so by its ``coop:labelOrder``;
any other IRI before those, by its text), numbers by value, strings by code point. Ties go by the
first column, the entity, sorted as an IRI key. An entity met in several rows takes the number of
its first; a first column that is not an IRI gets no number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import FOAF, PROV
from rdflib.term import Node

from coopgraph import bulkload, oxterms, resources, sparqltext
from coopgraph.dataset import DERIVED_GRAPH, INDEX_GRAPH
from coopgraph.errors import StoreError
from coopgraph.namespaces import COOP, PREFIXES
from coopgraph.queryfiles import Query, list_queries

__all__ = ["Rule", "stages", "all_files", "provenance", "in_memory", "by_graph", "into_dataset", "on_oxigraph",
           "numbers"]

#: Institutions and people with their display labels (derived by the first stage).
_LABELS = f"""SELECT ?entity ?label WHERE {{
  {{ ?entity a <{COOP.Institution}> }} UNION {{ ?entity a <{FOAF.Person}> }}
  OPTIONAL {{ ?entity <{COOP.displayLabel}> ?label }}
}}"""
_NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}
_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def _reads_derived(query: Query) -> bool:
    """Whether a rule, summary or order file says ``#+ reads: derived`` (it runs in the second stage)."""
    return re.match(r"derived\b", query.reads) is not None


def _files(folder: str = "") -> list[Query]:
    """The files of ``queries/rules/`` or one of its folders, loaded once (:mod:`coopgraph.queryfiles`)."""
    return list_queries("/".join(("rules", folder)) if folder else "rules")


@dataclass(frozen=True)
class Rule:
    """A CONSTRUCT file of ``queries/rules/`` or ``queries/rules/summaries/``, read."""

    path: Path
    text: str
    reads_derived: bool = False  # ``#+ reads: derived``: it runs in the second stage
    graph: URIRef = DERIVED_GRAPH  # where its triples go: the derived graph (rules) or the index (summaries)


def stages() -> tuple[list[Rule], list[Rule]]:
    """The CONSTRUCT rules in two stages: those that read the sources only, then those that say
    ``#+ reads: derived`` (they read what the first stage derived too)."""
    rules = [Rule(q.path, q.text, _reads_derived(q), graph)
             for folder, graph in (("", DERIVED_GRAPH), ("summaries", INDEX_GRAPH))
             for q in _files(folder) if q.path is not None]
    return [r for r in rules if not r.reads_derived], [r for r in rules if r.reads_derived]


def all_files() -> list[Path]:
    """Every file of the derivation: rules, summaries, orders."""
    return [q.path for q in (*_files(), *_files("summaries"), *_files("orders")) if q.path is not None]


def provenance(sources: Iterable[URIRef]) -> list[tuple[Node, Node, Node]]:
    """What the derived graph says about itself: the graphs it was derived from, the files that did it."""
    files = all_files()
    if not files:
        return []
    out: list[tuple[Node, Node, Node]] = [(DERIVED_GRAPH, PROV.wasDerivedFrom, g) for g in sources
                                          if g not in (DERIVED_GRAPH, INDEX_GRAPH)]
    root = resources.queries_dir().parent
    return out + [(DERIVED_GRAPH, COOP.fileName, Literal(path.relative_to(root).as_posix())) for path in files]


@dataclass(frozen=True)
class _Order:
    """An order file: the query to run (without its ORDER BY), its columns to sort by and the numbering property."""

    path: Path
    text: str
    keys: tuple[tuple[int, bool], ...]  # (column, descending)
    numbers: str
    reads_derived: bool  # ``#+ reads: derived``: it reads what the rules derived (else the sources only)


def _order(query: Query) -> _Order:
    path, text = Path(query.path or query.name), query.text
    where = f"queries/rules/orders/{path.name}"
    if not query.numbers:
        raise StoreError(f"{where}: no '#+ numbers: prefix:property' line — name the property that holds the numbers")
    prefix, _, local = query.numbers.partition(":")
    if prefix not in PREFIXES or not local or re.search(r"\s", local):
        raise StoreError(f"{where}: '{query.numbers}' is not a prefixed name coopgraph knows — use e.g. coop:visitOrder")
    body = sparqltext.strip_comments(text)
    found = list(re.finditer(r"\bORDER\s+BY\b", body, re.I))
    if not found:
        raise StoreError(f"{where}: no ORDER BY — an order file says its order")
    clause = body[found[-1].end():].strip()
    if not clause or re.sub(r"(?:(ASC|DESC)\s*\(\s*\?\w+\s*\)|\?\w+)", "", clause, flags=re.I).strip():
        raise StoreError(f"{where}: ORDER BY may hold only ?var, ASC(?var) and DESC(?var), and must end the query")
    selected = re.search(r"\bSELECT\s+(?:DISTINCT\s+)?((?:\?\w+\s*)+)", body, re.I)
    names = re.findall(r"\?(\w+)", selected.group(1)) if selected else []
    keys = []
    for token in re.finditer(r"(?:(ASC|DESC)\s*\(\s*\?(\w+)\s*\)|\?(\w+))", clause, re.I):
        name = token.group(2) or token.group(3)
        if name not in names:
            raise StoreError(f"{where}: SELECT must list the entity first, and every variable ORDER BY sorts by "
                             f"({name} is not there)")
        keys.append((names.index(name), (token.group(1) or "").upper() == "DESC"))
    return _Order(path, body[:found[-1].start()], tuple(keys), PREFIXES[prefix] + local,
                  _reads_derived(query))


# ----------------------------------------------------------------------------------------- orders


def _plain(term: object) -> tuple:
    """A sort key for an answer's term (pyoxigraph's or rdflib's); IRIs are looked up by the caller."""
    if term is None:
        return (0,)
    if isinstance(term, (ox.NamedNode, URIRef)):
        return (1, str(term.value if isinstance(term, ox.NamedNode) else term))
    if isinstance(term, (ox.BlankNode, BNode)):
        return (1, "_:" + str(term.value if isinstance(term, ox.BlankNode) else term))
    if isinstance(term, ox.Literal):
        value, datatype = term.value, term.datatype.value
    else:
        value, datatype = str(term), str(term.datatype or "")  # type: ignore[union-attr]
    if datatype in _NUMERIC:
        try:
            return (3, Decimal(value))
        except ArithmeticError:
            pass
    return (4, value)


def _display_labels(rows: Iterable[Sequence[object]]) -> dict[str, str | None]:
    """Each entity's display label as text (queries/rules/summaries/display-labels.rq chose it); None for one with none."""
    labels: dict[str, str | None] = {}
    for entity, label in rows:
        text = None if label is None else label.value if isinstance(label, ox.Literal) else str(label)
        iri = _plain(entity)[1]
        if labels.get(iri) is None:
            labels[iri] = text
    return labels


def numbers(select: Callable[[str], Iterable[Sequence[object]]]) -> list[tuple[str, str, int]]:
    """The order numbers as (entity IRI, property IRI, number), from a store that ``select`` asks.

    ``select`` runs a SELECT over the union of the store's graphs and gives its rows as sequences of
    terms (pyoxigraph's or rdflib's), in the order of the SELECT's variables.
    """
    orders = [_order(query) for query in _files("orders")]
    with ThreadPoolExecutor(max_workers=2) as pool:  # the store answers two at a time; Python sorts after
        fetched = list(pool.map(lambda text: list(select(text)), [_LABELS, *(order.text for order in orders)]))
    return _numbered(orders, fetched[0], fetched[1:])


def _numbered(orders: Sequence[_Order], labelled: Sequence[Sequence[object]],
              answers: Sequence[Sequence[Sequence[object]]]) -> list[tuple[str, str, int]]:
    """The numbers, from the rows of :data:`_LABELS` and of each order file's query."""
    labels = _display_labels(labelled)
    by_label = sorted(labels, key=lambda iri: (labels[iri] is not None, labels[iri] or "", iri))  # none first, as SPARQL
    position = {iri: n for n, iri in enumerate(by_label, 1)}
    out = [(iri, str(COOP.labelOrder), n) for iri, n in position.items()]

    def key(term: object) -> tuple:
        plain = (1, term.value) if type(term) is ox.NamedNode else _plain(term)  # the common case first (200k keys at 1M)
        if plain[0] == 1:
            n = position.get(plain[1])
            return (2, n) if n is not None else (1, plain[1])
        return plain

    for order, answer in zip(orders, answers, strict=True):
        rows = [(key(row[0]), *(key(row[i]) for i, _ in order.keys)) for row in answer if row[0] is not None]
        rows.sort(key=lambda row: row[0])  # ties: by the entity
        for k, (_, descending) in reversed(list(enumerate(order.keys, 1))):  # stable sorts, the least significant key first
            rows.sort(key=lambda row, k=k: row[k], reverse=descending)
        seen: set[tuple] = set()
        for row in rows:
            entity = row[0]
            if entity in seen or entity[0] not in (1, 2) or str(entity[1]).startswith("_:"):
                continue  # met before, or not an IRI
            seen.add(entity)
            out.append((entity[1] if entity[0] == 1 else by_label[entity[1] - 1], order.numbers, len(seen)))
    return out


def _ox_select(store: ox.Store, *, union: bool) -> Callable[[str], Iterable[Sequence[object]]]:
    def select(text: str) -> Iterable[Sequence[object]]:
        answer = store.query(text, use_default_graph_as_union=union) if union else store.query(text)
        width = len(answer.variables)  # type: ignore[union-attr]
        return ([solution[i] for i in range(width)] for solution in answer)  # type: ignore[union-attr]
    return select


# ----------------------------------------------------------------------------------------- stages


def in_memory(facts: Iterable[tuple[Node, Node, Node]]) -> list[tuple[Node, Node, Node]]:
    """What the derivation concludes from ``facts``, each triple once, derived and index graphs alike
    (see :func:`by_graph`)."""
    return list(dict.fromkeys(t for triples in by_graph(facts).values() for t in triples))


def by_graph(facts: Iterable[tuple[Node, Node, Node]]) -> dict[URIRef, list[tuple[Node, Node, Node]]]:
    """What the derivation concludes from ``facts``, per graph (derived, index), each triple once (run
    by Oxigraph, in memory).

    rdflib's engine takes time that grows with the cube of the data on the rules' joins (a build of
    30k synthetic triples: 220 s, not 0.3 s). The answers are those of a store on disk
    (tests/test_store.py compares the derived graphs of every store).
    """
    store = oxterms.facts_store(facts)
    first, second = stages()

    def run(rules: list[Rule]) -> list[tuple[URIRef, ox.Triple]]:
        return [(rule.graph, triple) for rule in rules for triple in store.query(rule.text)]  # type: ignore[union-attr]

    found = run(first)
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for _, t in found)
    counted = numbers(_ox_select(store, union=False))  # from the first stage, as on disk
    found += run(second)
    convert = oxterms.Terms()
    out: dict[URIRef, dict[tuple[Node, Node, Node], None]] = {DERIVED_GRAPH: {}, INDEX_GRAPH: {}}
    for graph, t in found:
        out[graph][(convert(t.subject), convert(t.predicate), convert(t.object))] = None
    out[INDEX_GRAPH].update(dict.fromkeys((URIRef(s), URIRef(p), Literal(n)) for s, p, n in counted))
    return {graph: list(triples) for graph, triples in out.items()}


def into_dataset(dataset: Dataset) -> None:
    """Derive anew into the derived and index graphs of an rdflib dataset: emptied, then the rules
    over every other graph (:func:`by_graph`) and the :func:`provenance` of those graphs."""
    derived = dataset.graph(DERIVED_GRAPH)
    for name in (DERIVED_GRAPH, INDEX_GRAPH):
        dataset.graph(name).remove((None, None, None))
    if not all_files():
        return
    facts = ((s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None)))  # both graphs are empty now
    for name, triples in by_graph(facts).items():
        target = dataset.graph(name)
        for triple in triples:
            target.add(triple)
    sources = sorted(g.identifier for g in dataset.graphs()
                     if isinstance(g.identifier, URIRef) and g.identifier != INDEX_GRAPH and len(g))
    for triple in provenance(sources):
        derived.add(triple)


def on_oxigraph(store: ox.Store, graph: ox.NamedNode, *, sources: Iterable[URIRef] = (),
                index: ox.NamedNode | None = None) -> None:
    """Run the derivation on an Oxigraph store (one nobody else writes to) into ``graph`` (the rules)
    and ``index`` (summaries and order numbers; default :data:`~coopgraph.dataset.INDEX_GRAPH`), both
    emptied first, with the :func:`provenance` of ``sources`` in ``graph``.

    The rules of a stage run side by side, and their triples go from Oxigraph's serializer to its
    bulk loader (in parts, side by side) without becoming Python objects.
    """
    index = index if index is not None else ox.NamedNode(str(INDEX_GRAPH))
    store.remove_graph(graph)
    store.remove_graph(index)
    to_graph = {DERIVED_GRAPH: graph, INDEX_GRAPH: index}

    def run(rule: Rule) -> tuple[ox.NamedNode, bytes]:
        answer = store.query(rule.text, use_default_graph_as_union=True)
        return to_graph[rule.graph], answer.serialize(format=ox.RdfFormat.N_TRIPLES)  # type: ignore[union-attr]

    def load(found: Iterable[tuple[ox.NamedNode, bytes]], extra: dict[str, bytes] | None = None) -> None:
        data: dict[str, list[bytes]] = {}
        for name, text in found:
            data.setdefault(name.value, []).append(text)
        for name, text in (extra or {}).items():
            data.setdefault(name, []).append(text)
        for name in sorted(data):
            text = b"".join(data[name])
            if text:
                bulkload.bulk_load_bytes(store, text, to_graph=ox.NamedNode(name))

    first, second = stages()
    orders = [_order(query) for query in _files("orders")]
    select = _ox_select(store, union=True)

    def fetch(text: str) -> list[Sequence[object]]:
        return list(select(text))

    with ThreadPoolExecutor(max_workers=2) as pool:
        # the orders that read the sources only are fetched with the first stage; the display labels
        # (derived by the first stage) and the other orders with the second (an order reads the first stage at most)
        early = {order.path: pool.submit(fetch, order.text) for order in orders if not order.reads_derived}
        load(pool.map(run, first))
        labelled = pool.submit(fetch, _LABELS)
        late = {order.path: pool.submit(fetch, order.text) for order in orders if order.reads_derived}
        data = list(pool.map(run, second))
        answers = [(early.get(order.path) or late[order.path]).result() for order in orders]
        found = _numbered(orders, labelled.result(), answers)
    numbered = "".join(f'<{s}> <{p}> "{n}"^^<{_INTEGER}> .\n' for s, p, n in found)
    described = "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in provenance(sources))
    load(data, {index.value: numbered.encode("utf-8"), graph.value: described.encode("utf-8")})
