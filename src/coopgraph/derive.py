"""The derived graph: what the files of ``queries/rules/`` conclude from the sources.

- **rules** (``queries/rules/*.rq``, CONSTRUCT): one ``coop:Cooperation`` per pair of institutions
  and kind, with its evidence, years and sources;
- **summaries** (``queries/rules/summaries/*.rq``, CONSTRUCT): counts that the library would
  otherwise recompute from the whole graph at each question — facts per year and kind, trips per
  traveller, cooperation per pair of countries;
- **orders**: ``coop:labelOrder`` numbers every entity with a ``skos:prefLabel`` in the order of its
  display label (the English one, else the first in code point order; ties by IRI), and each
  ``queries/rules/orders/*.rq`` numbers the entities of its first column, in the order of its
  ``ORDER BY``, under the property its ``#+ numbers:`` line names. The library's listings sort and
  page by these integers: Oxigraph reads a string from disk at every comparison of a sort (ORDER BY
  two labels of 22k cooperations: 0.85 s at 1M triples), and compares integers in place.

They run in two stages. First every rule and summary that reads the sources only; then, side by
side, the summaries whose header says ``#+ reads: derived`` (they read the first stage's links too)
and the orders (which read the sources and the first stage).

An order file is a SELECT whose ``ORDER BY`` is a list of ``?var``, ``ASC(?var)`` or ``DESC(?var)``.
coopgraph runs it without the ``ORDER BY`` and sorts the rows itself, as SPARQL would: unbound
first, then IRIs (an IRI by its entity's display label, so by its ``coop:labelOrder``; one without
a label before the labelled ones, by IRI), numbers by value, strings by code point. Ties go by the
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
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from coopgraph import bulkload, oxterms, resources, sparqltext
from coopgraph.errors import StoreError
from coopgraph.namespaces import COOP, PREFIXES

__all__ = ["Order", "rule_files", "summary_files", "order_files", "all_files", "in_memory", "on_oxigraph",
           "numbers", "as_rdflib", "LABEL_ORDER"]

#: The property that numbers labelled entities by their display labels.
LABEL_ORDER = COOP.labelOrder

_LABELS = "SELECT ?entity ?label WHERE { ?entity <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
_NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}


def _folder(*parts: str) -> Path:
    return resources.queries_dir().joinpath("rules", *parts)


def rule_files() -> list[Path]:
    """The CONSTRUCT rules of ``queries/rules/``: the cooperation links."""
    folder = _folder()
    return sorted(folder.glob("*.rq")) if folder.is_dir() else []


def summary_files() -> list[Path]:
    """The CONSTRUCT rules of ``summaries/``: counts kept for the library's questions."""
    folder = _folder("summaries")
    return sorted(folder.glob("*.rq")) if folder.is_dir() else []


def _reads_derived(path: Path) -> bool:
    return re.search(r"^#\+\s*reads:\s*derived\b", path.read_text(encoding="utf-8"), re.M) is not None


def stages() -> tuple[list[Path], list[Path]]:
    """The CONSTRUCT rules in two stages: those that read the sources only, then those that say
    ``#+ reads: derived`` (they read what the first stage derived too)."""
    files = [*rule_files(), *summary_files()]
    return [f for f in files if not _reads_derived(f)], [f for f in files if _reads_derived(f)]


@dataclass(frozen=True)
class Order:
    """An order file: the query to run (without its ORDER BY), its sort keys and the numbering property."""

    path: Path
    text: str
    keys: tuple[tuple[str, bool], ...]  # (variable, descending)
    numbers: URIRef


def _order(path: Path) -> Order:
    text = path.read_text(encoding="utf-8")
    where = f"queries/rules/orders/{path.name}"
    numbers = re.search(r"^#\+\s*numbers:\s*(\S+)\s*$", text, re.M)
    if not numbers:
        raise StoreError(f"{where}: no '#+ numbers: prefix:property' line — name the property that holds the numbers")
    prefix, _, local = numbers.group(1).partition(":")
    if prefix not in PREFIXES or not local:
        raise StoreError(f"{where}: '{numbers.group(1)}' is not a prefixed name coopgraph knows — use e.g. coop:visitOrder")
    body = sparqltext.strip_comments(text)
    found = list(re.finditer(r"\bORDER\s+BY\b", body, re.I))
    if not found:
        raise StoreError(f"{where}: no ORDER BY — an order file says its order")
    clause = body[found[-1].end():].strip()
    keys = []
    for token in re.finditer(r"\s*(?:(ASC|DESC)\s*\(\s*\?(\w+)\s*\)|\?(\w+))", clause, re.I):
        keys.append((token.group(2) or token.group(3), (token.group(1) or "").upper() == "DESC"))
    if not keys or re.sub(r"(?:(ASC|DESC)\s*\(\s*\?\w+\s*\)|\?\w+)", "", clause, flags=re.I).strip():
        raise StoreError(f"{where}: ORDER BY may hold only ?var, ASC(?var) and DESC(?var), and must end the query")
    return Order(path, body[:found[-1].start()], tuple(keys), URIRef(PREFIXES[prefix] + local))


def order_files() -> list[Order]:
    """The order files of ``queries/rules/orders/``."""
    folder = _folder("orders")
    return [_order(path) for path in sorted(folder.glob("*.rq"))] if folder.is_dir() else []


def all_files() -> list[Path]:
    """Every file of the derivation: rules, summaries, orders."""
    return [*rule_files(), *summary_files(), *(order.path for order in order_files())]


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


def _display_labels(rows: Iterable[Sequence[object]]) -> dict[str, str]:
    english: dict[str, str] = {}
    other: dict[str, str] = {}
    for entity, label in rows:
        iri = _plain(entity)[1]
        if isinstance(label, ox.Literal):
            text, language = label.value, (label.language or "")
        else:
            text, language = str(label), (getattr(label, "language", None) or "")
        language = language.lower()
        target = english if language == "en" or language.startswith("en-") else other
        if iri not in target or text < target[iri]:
            target[iri] = text
    return {**{k: v for k, v in other.items() if k not in english}, **english}


def numbers(select: Callable[[str], Iterable[Sequence[object]]]) -> list[tuple[str, str, int]]:
    """The order numbers as (entity IRI, property IRI, number), from a store that ``select`` asks.

    ``select`` runs a SELECT over the union of the store's graphs and gives its rows as sequences of
    terms (pyoxigraph's or rdflib's), in the order of the SELECT's variables.
    """
    orders = order_files()
    with ThreadPoolExecutor(max_workers=2) as pool:  # the store answers two at a time; Python sorts after
        fetched = list(pool.map(lambda text: list(select(text)), [_LABELS, *(order.text for order in orders)]))
    labels = _display_labels(fetched[0])
    by_label = sorted(labels, key=lambda iri: (labels[iri], iri))
    position = {iri: n for n, iri in enumerate(by_label, 1)}
    label_order = str(LABEL_ORDER)
    out = [(iri, label_order, n) for iri, n in position.items()]

    def key(term: object) -> tuple:
        plain = (1, term.value) if type(term) is ox.NamedNode else _plain(term)  # the common case first (200k keys at 1M)
        if plain[0] == 1:
            n = position.get(plain[1])
            return (2, n) if n is not None else (1, plain[1])
        return plain

    for order, answer in zip(orders, fetched[1:], strict=True):
        variables = re.search(r"\bSELECT\s+(?:DISTINCT\s+)?((?:\?\w+\s*)+)", order.text, re.I)
        names = re.findall(r"\?(\w+)", variables.group(1)) if variables else []
        missing = [name for name, _ in order.keys if name not in names]
        if not names or missing:
            raise StoreError(f"queries/rules/orders/{order.path.name}: SELECT must list the entity first, "
                             f"then the sort variables ({', '.join(missing) or 'none found'})")
        columns = [0, *(names.index(name) for name, _ in order.keys)]
        rows = [tuple(key(row[i]) for i in columns) for row in answer if row[0] is not None]
        rows.sort(key=lambda row: row[0])  # ties: by the entity
        for k, (_, descending) in reversed(list(enumerate(order.keys, 1))):  # stable sorts, the least significant key first
            rows.sort(key=lambda row, k=k: row[k], reverse=descending)
        seen: set[tuple] = set()
        numbered = str(order.numbers)
        for row in rows:
            entity = row[0]
            if entity in seen or entity[0] not in (1, 2) or str(entity[1]).startswith("_:"):
                continue  # met before, or not an IRI
            seen.add(entity)
            out.append((entity[1] if entity[0] == 1 else by_label[entity[1] - 1], numbered, len(seen)))
    return out


def as_rdflib(found: Iterable[tuple[str, str, int]]) -> list[tuple[URIRef, URIRef, Literal]]:
    """:func:`numbers` as rdflib triples."""
    return [(URIRef(s), URIRef(p), Literal(n)) for s, p, n in found]


def _ox_select(store: ox.Store, *, union: bool) -> Callable[[str], Iterable[Sequence[object]]]:
    def select(text: str) -> Iterable[Sequence[object]]:
        answer = store.query(text, use_default_graph_as_union=union) if union else store.query(text)
        width = len(answer.variables)  # type: ignore[union-attr]
        return ([solution[i] for i in range(width)] for solution in answer)  # type: ignore[union-attr]
    return select


# ----------------------------------------------------------------------------------------- stages


def in_memory(facts: Iterable[tuple[Node, Node, Node]]) -> list[tuple[Node, Node, Node]]:
    """What the three stages derive from ``facts``, each triple once (run by Oxigraph, in memory).

    rdflib's engine takes time that grows with the cube of the data on the rules' joins (a build of
    30k synthetic triples: 220 s, not 0.3 s). The answers are those of a store on disk
    (tests/test_store.py compares the derived graphs of every store).
    """
    store = oxterms.facts_store(facts)
    first, second = stages()

    def run(rules: list[Path]) -> dict[tuple[Node, Node, Node], None]:
        return dict.fromkeys(triple for rule in rules for triple in oxterms.construct(store, rule.read_text(encoding="utf-8")))

    found = run(first)
    store.bulk_extend(ox.Quad(oxterms.to_ox(s), oxterms.to_ox(p), oxterms.to_ox(o), ox.DefaultGraph())  # type: ignore[arg-type]
                      for s, p, o in found)
    counted = as_rdflib(numbers(_ox_select(store, union=False)))  # from the first stage, as on disk
    found.update(run(second))
    found.update(dict.fromkeys(counted))
    return list(found)


def on_oxigraph(store: ox.Store, graph: ox.NamedNode) -> None:
    """Run the derivation on an Oxigraph store (one nobody else writes to) into ``graph``, emptied first.

    The rules of a stage run side by side, and their triples go from Oxigraph's serializer to its
    bulk loader (in parts, side by side) without becoming Python objects.
    """
    store.remove_graph(graph)

    def run(rule: Path) -> bytes:
        answer = store.query(rule.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        return answer.serialize(format=ox.RdfFormat.N_TRIPLES)  # type: ignore[union-attr]

    first, second = stages()
    with ThreadPoolExecutor(max_workers=2) as pool:
        bulkload.bulk_load_bytes(store, b"".join(pool.map(run, first)), to_graph=graph)
        # the numbers read the first stage only: they are counted while the second stage runs
        counted = pool.submit(numbers, _ox_select(store, union=True))
        data = b"".join(pool.map(run, second))
        found = counted.result()
    text = "".join(f"<{s}> <{p}> \"{n}\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n" for s, p, n in found)
    bulkload.bulk_load_bytes(store, data + text.encode("utf-8"), to_graph=graph)
