"""What the registry knows, as a gazetteer: institutions, places and topics, found in text by their names.

Names are compared word by word through :func:`coopgraph.resolve.name_key` (case, punctuation and Russian
inflection aside), so «Шэньянском технологическом университете» is found as Shenyang University of
Technology's Russian name. Acronyms match exactly (ЛГТУ, USTL) and only where the text writes them in
capitals. Where names overlap, the longest wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, SKOS, Graph, Literal, Namespace, URIRef

from coopgraph import ids
from coopgraph.namespaces import COOP, PREFIXES
from coopgraph.resolve import Resolver, acronym_key, looks_like_acronym, name_key

__all__ = ["Hit", "Place", "Topic", "InstitutionInfo", "Gazetteer", "load_gazetteer", "english_stem"]

SCHEMA = Namespace(PREFIXES["schema"])
_WORD = re.compile(r"[^\W_]+")


def english_stem(word: str) -> str:
    """A crude English stem for comparing topic words: lower case, no plural, programme = program.

    >>> english_stem("Programmes"), english_stem("schools"), english_stem("studies")
    ('program', 'school', 'study')
    """
    word = word.casefold()
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    return "program" if word in ("programme", "program") else word


@dataclass(frozen=True)
class Hit:
    """A name of a registry entry found in text: ``kind`` is institution or place; ``id`` its registry id."""

    start: int
    end: int
    text: str
    kind: str
    id: str
    acronym: bool = False


@dataclass(frozen=True)
class Place:
    """A place of the registry: ``kind`` is City, Region or Country; ``country`` its country's id."""

    id: str
    kind: str
    names: dict[str, str]
    within: str | None
    country: str | None


@dataclass(frozen=True)
class Topic:
    """A topic of the registry, with its name per language."""

    id: str
    names: dict[str, str]


@dataclass(frozen=True)
class InstitutionInfo:
    """An institution of the registry: its names per language, acronyms, city and country ids."""

    id: str
    names: dict[str, str]
    acronyms: tuple[str, ...]
    city: str | None
    country: str | None


@dataclass
class Gazetteer:
    """Institutions, places and topics of a registry, with a resolver and an index of their names."""

    resolver: Resolver
    institutions: dict[str, InstitutionInfo] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    _first: dict[str, list[tuple[tuple[frozenset[str], ...], str, str]]] = field(default_factory=dict, repr=False)
    _acronyms: dict[str, list[tuple[str, str]]] = field(default_factory=dict, repr=False)

    def index(self, text: str, kind: str, entity: str) -> None:
        """Make ``text`` (a name or an acronym of ``entity``) findable by :meth:`scan`."""
        if looks_like_acronym(text):
            entry = (kind, entity)
            found = self._acronyms.setdefault(acronym_key(text), [])
            if entry not in found:
                found.append(entry)
            return
        key = name_key(text)
        if key:
            for form in key[0]:
                self._first.setdefault(form, []).append((key, kind, entity))

    def scan(self, text: str, *, offset: int = 0) -> list[Hit]:
        """Every name of an institution or place in ``text``, longest first, without overlaps."""
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        keys = [name_key(w)[0] if name_key(w) else frozenset() for _, _, w in words]
        candidates: list[Hit] = []
        for i, (start, end, word) in enumerate(words):
            upper = sum(c.isupper() for c in word)
            if upper >= 2 or (upper == 1 and len(word) <= 4 and word.isupper()):
                for kind, entity in self._acronyms.get(acronym_key(word), []):
                    candidates.append(Hit(offset + start, offset + end, word, kind, entity, acronym=True))
            for form in keys[i]:
                for key, kind, entity in self._first.get(form, []):
                    n = len(key)
                    if i + n > len(words):
                        continue
                    if all(keys[i + j] & key[j] for j in range(n)):
                        s, e = start, words[i + n - 1][1]
                        candidates.append(Hit(offset + s, offset + e, text[s:e], kind, entity))
        candidates.sort(key=lambda h: (-(h.end - h.start), h.start, h.kind != "institution"))
        chosen: list[Hit] = []
        for hit in candidates:
            if not any(hit.start < c.end and c.start < hit.end for c in chosen):
                chosen.append(hit)
        return sorted(chosen, key=lambda h: h.start)

    def place_country(self, place: str | None) -> str | None:
        """The country id of a place id (itself for a country)."""
        return self.places[place].country if place in self.places else None

    def name(self, kind: str, entity: str, lang: str) -> str:
        """The name of a registry entry in ``lang`` (else English, else any), for generated labels."""
        table = {"institution": self.institutions, "place": self.places, "topic": self.topics}[kind]
        item = table.get(entity)
        if item is None:
            return entity
        if kind == "institution" and lang != "en" and item.acronyms:
            acronyms = [a for a in item.acronyms if re.search("[А-Яа-я]", a)] if lang == "ru" else list(item.acronyms)
            if acronyms:
                return acronyms[0]
        names = item.names
        return names.get(lang) or names.get("en") or next(iter(names.values()), entity)


def _names(graph: Graph, node: URIRef) -> dict[str, str]:
    out: dict[str, str] = {}
    for label in sorted(graph.objects(node, SKOS.prefLabel), key=str):
        if isinstance(label, Literal):
            out.setdefault(label.language or "", str(label))
    return out


def _local(node: object) -> str:
    return ids.local_id(node)  # type: ignore[arg-type]


def load_gazetteer(folder: str | Path = "data/registry") -> Gazetteer:
    """The gazetteer of the registry files in ``folder`` (institutions, places, topics).

    Raises
    ------
    SourceError
        for a registry file that cannot be read
    """
    from coopgraph.sources import read_source, source_files

    graph = Graph()
    for path in source_files([folder]):
        for triple in read_source(path).graph:
            graph.add(triple)
    return gazetteer_from_graph(graph)


def gazetteer_from_graph(graph: Graph) -> Gazetteer:
    """The gazetteer of the institutions, places and topics in ``graph``."""
    resolver = Resolver.from_graph(graph)
    gazetteer = Gazetteer(resolver=resolver)
    kinds = {COOP.City: "City", COOP.Region: "Region", COOP.Country: "Country"}
    raw: dict[str, tuple[str, dict[str, str], str | None]] = {}
    for cls, kind in kinds.items():
        for node in graph.subjects(RDF.type, cls):
            within = graph.value(node, SCHEMA.containedInPlace)
            raw[_local(node)] = (kind, _names(graph, node), _local(within) if within is not None else None)
    for local, (kind, names, within) in raw.items():
        country, current, seen = None, local, set()
        while current and current not in seen:
            seen.add(current)
            if raw.get(current, ("",))[0] == "Country":
                country = current
                break
            current = raw.get(current, ("", {}, None))[2]
        gazetteer.places[local] = Place(local, kind, names, within, country)
    for node in sorted(set(graph.subjects(RDF.type, SKOS.Concept)), key=str):
        gazetteer.topics[_local(node)] = Topic(_local(node), _names(graph, node))
    for inst in resolver.institutions:
        city = None
        place = graph.value(inst.iri, SCHEMA.location)
        if place is not None:
            city = _local(place)
        acronyms = tuple(inst.acronyms) + tuple(t for t, _ in inst.names if looks_like_acronym(t))
        names = {lang or "": text for text, lang in reversed(inst.preferred)}
        info = InstitutionInfo(inst.id, names, acronyms, city, gazetteer.place_country(city))
        gazetteer.institutions[inst.id] = info
        for text, _ in inst.names:
            gazetteer.index(text, "institution", inst.id)
        for acronym in inst.acronyms:
            gazetteer.index(acronym, "institution", inst.id)
    for local in raw:
        for text in _names(graph, ids.entity(local)).values():
            gazetteer.index(text, "place", local)
        for alias in graph.objects(ids.entity(local), SKOS.altLabel):
            gazetteer.index(str(alias), "place", local)
    return gazetteer
