"""A synthetic cooperation graph of any size, for tests and benchmarks — deterministic for a seed.

The world: countries (Zipf-weighted), regions and cities; universities in the cities, with names in
English and the local language, acronyms, ROR and Wikidata ids; people with posts. The news: one
source document per trip, each a visit of a delegation (people, their posts, their participation) to
one to three hosts — every institution drawn by a Zipf weight of activity, so that the numbers of
partners follow a power law (at 1M triples: 5,500 institutions, the busiest with 1,300 partners, the
median with 3) — sometimes with meetings on topics, an agreement (signed on a date or at a
conference), a joint programme or mobility, over the years 1995–2025, more in recent years; what
lies ahead is planned.

Two ways out, with the same content:

- ``yaml``: the authoring format — ``registry/*.yaml`` and ``sources/*.yaml`` — which ``coopgraph
  build`` reads and validates;
- ``nq`` (or ``nt``): N-Quads (N-Triples), streamed to disk: exactly the statements ``coopgraph build``
  makes of the YAML (one named graph per source, entailed types and superproperties, provenance),
  without the derived graph, which ``coopgraph load`` computes. Nothing is held in memory but the
  world's registries and the current document, so 10M triples take no more memory than 10k.

Entity IRIs are flat (``.../id/s-visit-42``, ``.../id/s-visit-42-participation-1``).
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
import random
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import OWL, RDF, RDFS, URIRef

from coopgraph import ids, resources
from coopgraph.errors import CoopgraphError
from coopgraph.namespaces import COOP, PREFIXES

__all__ = ["SynthReport", "Document", "documents", "write", "FORMATS"]

#: Output formats of :func:`write`.
FORMATS = ("yaml", "nq", "nt")

_XSD = PREFIXES["xsd"]
_PROV_DERIVED = PREFIXES["prov"] + "wasDerivedFrom"

# (ISO code, English name, local language, Zipf rank order): the countries the world is made of.
_COUNTRIES = [
    ("CN", "China", "zh"), ("RU", "Russia", "ru"), ("US", "United States", None), ("DE", "Germany", "de"),
    ("GB", "United Kingdom", None), ("FR", "France", "fr"), ("JP", "Japan", "ja"), ("IN", "India", None),
    ("IT", "Italy", "it"), ("KR", "South Korea", "ko"), ("BR", "Brazil", "pt"), ("ES", "Spain", "es"),
    ("KZ", "Kazakhstan", "ru"), ("CA", "Canada", None), ("TR", "Turkey", "tr"), ("IR", "Iran", None),
    ("PL", "Poland", "pl"), ("AU", "Australia", None), ("NL", "Netherlands", "nl"), ("EG", "Egypt", None),
    ("BY", "Belarus", "ru"), ("UZ", "Uzbekistan", "ru"), ("VN", "Vietnam", "vi"), ("MX", "Mexico", "es"),
    ("SE", "Sweden", "sv"), ("CZ", "Czechia", "cs"), ("FI", "Finland", "fi"), ("AR", "Argentina", "es"),
    ("MN", "Mongolia", "ru"), ("RS", "Serbia", "sr"), ("PT", "Portugal", "pt"), ("ZA", "South Africa", None),
    ("ID", "Indonesia", "id"), ("TH", "Thailand", "th"), ("MY", "Malaysia", None), ("CL", "Chile", "es"),
    ("AM", "Armenia", "ru"), ("GR", "Greece", "el"), ("NO", "Norway", "nb"), ("HU", "Hungary", "hu"),
]
_SYLLABLES = ["ka", "lo", "mi", "ne", "ra", "ta", "vo", "shi", "an", "ber", "dor", "gal", "hen", "ir", "jun",
              "kov", "lin", "mar", "nor", "os", "pol", "qing", "ros", "sun", "tor", "ul", "vel", "yan", "zar", "ev"]
_CYRILLIC = {"a": "а", "b": "б", "d": "д", "e": "е", "g": "г", "h": "х", "i": "и", "j": "дж", "k": "к", "l": "л",
             "m": "м", "n": "н", "o": "о", "p": "п", "q": "ц", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в",
             "y": "й", "z": "з"}
_HAN = "安北长成大东丰福光广海汉河华吉江金京兰南宁平青庆山上沈顺泰天西新阳永云郑州"
_KINDS = [("Technical University", "технический университет", "理工大学"), ("University", "университет", "大学"),
          ("State University", "государственный университет", "师范大学"),
          ("University of Science and Technology", "университет науки и технологий", "科技大学"),
          ("Polytechnic University", "политехнический университет", "工业大学")]
_FIELDS = ["Metallurgy", "Materials Science", "Mechanical Engineering", "Computer Science", "Economics",
           "Chemical Engineering", "Civil Engineering", "Applied Mathematics", "Linguistics", "Energy Systems"]
_TOPICS = ["joint programmes", "short-term mobility", "long-term mobility", "summer schools", "joint research",
           "student exchange", "staff training", "double degrees", "industrial partnership", "language courses",
           "digital education", "joint laboratories"]
_POSTS = ["Rector", "ActingRector", "President", "HeadOfDepartment", "HeadOfInternationalOffice", "Teacher"]
_MOBILITY = ["StaffTeaching", "StaffTraining", "StudentStudies", "StudentTraineeship"]
_ROR_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_YEARS = list(range(1995, 2026))
_YEAR_WEIGHTS = [(year - 1990) ** 1.6 for year in _YEARS]


# ------------------------------------------------------------------------------------------ documents


@dataclass
class Document:
    """One authoring file: its source id, its path under the output folder, and its YAML content."""

    source_id: str
    path: str
    content: dict[str, Any]


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def _cyrillic(text: str) -> str:
    out = "".join(_CYRILLIC.get(ch, ch) for ch in text.lower().replace("sh", "ш").replace("ch", "ч"))
    return out[:1].upper() + out[1:]


def _ror(rng: random.Random) -> str:
    """A ROR IRI of the right form, with its ISO 7064 mod 97-10 checksum."""
    number = rng.randrange(32 ** 6)
    digits = "".join(_ROR_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(6)))
    return f"https://ror.org/0{digits}{98 - (number * 100) % 97:02d}"


def _date(rng: random.Random, year: int) -> _dt.date:
    return _dt.date(year, rng.randint(1, 12), rng.randint(1, 28))


class _World:
    """The registries, and the state that makes partners' numbers follow a power law."""

    def __init__(self, rng: random.Random, triples: int) -> None:
        self.rng = rng
        institutions = max(8, triples // 160)
        cities = max(4, institutions // 4)
        count = min(len(_COUNTRIES), max(3, round(math.sqrt(institutions) / 2)))
        self.countries = _COUNTRIES[:count]
        weights = [1 / (rank + 1) for rank in range(count)]  # Zipf
        self.places: list[dict[str, Any]] = []
        self.regions: dict[str, list[str]] = {}
        for code, name, _ in self.countries:
            self.places.append({"id": f"s-country-{code.lower()}", "type": "Country", "name": {"en": name},
                                "countryCode": code})
        self.cities: list[tuple[str, str, str | None, str]] = []  # id, English name, language, country code
        names: set[str] = set()
        for n in range(cities):
            code, _, language = rng.choices(self.countries, weights)[0]
            name = _word(rng, rng.choice((2, 3)))
            while name in names:
                name = _word(rng, 3)
            names.add(name)
            region_list = self.regions.setdefault(code, [])
            if not region_list or (len(region_list) < 6 and rng.random() < 0.3):
                region = f"s-region-{code.lower()}-{len(region_list) + 1}"
                region_list.append(region)
                self.places.append({"id": region, "type": "Region", "name": {"en": f"{_word(rng, 2)} Province"},
                                    "containedIn": f"s-country-{code.lower()}"})
            city = {"id": f"s-city-{n + 1}", "type": "City", "name": self._names(name, "", language),
                    "containedIn": rng.choice(region_list), "lat": f"{rng.uniform(-60, 70):.5f}",
                    "long": f"{rng.uniform(-170, 170):.5f}"}
            self.places.append(city)
            self.cities.append((city["id"], name, language, code))
        self.institutions: list[dict[str, Any]] = []
        city_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(self.cities))]
        acronyms: set[str] = set()
        for n in range(institutions):
            city_id, city_name, language, _ = rng.choices(self.cities, city_weights)[0]
            kind = rng.choice(_KINDS)
            english = f"{city_name} {kind[0]}" if n % 3 else f"{kind[0]} of {city_name}"
            acronym = "".join(w[0] for w in english.split() if w[0].isupper()) + str(n + 1)
            acronyms.add(acronym)
            entry: dict[str, Any] = {
                "id": f"s-inst-{n + 1}", "type": "University",
                "name": {"en": f"{english} No. {n + 1}"} | self._local(city_name, kind, language, n + 1),
                "acronym": {"en": [acronym]}, "location": city_id,
            }
            same = [_ror(rng)] if rng.random() < 0.8 else []
            if rng.random() < 0.4:
                same.append(f"http://www.wikidata.org/entity/Q{rng.randrange(10_000, 99_999_999)}")
            if same:
                entry["sameAs"] = same if len(same) > 1 else same[0]
            if rng.random() < 0.6:
                entry["founded"] = str(rng.randint(1755, 2005))
            self.institutions.append(entry)
        self.topics = [{"id": f"s-topic-{n + 1}", "type": "Topic", "inScheme": "s-topics", "name": {"en": topic}}
                       for n, topic in enumerate(_TOPICS)]
        # how active each institution is: Zipf weights over a random order, so partners follow a power law
        order = list(range(institutions))
        rng.shuffle(order)
        activity = [0.0] * institutions
        for rank, index in enumerate(order):
            activity[index] = 1 / (rank + 1) ** 0.9
        self.cumulative = list(itertools.accumulate(activity))
        self.staff: dict[int, list[tuple[str, str]]] = {}  # institution → (person id, post id)
        self.people = 0

    def _names(self, name: str, suffix: str, language: str | None) -> dict[str, str]:
        out = {"en": f"{name}{suffix}"}
        if language == "ru":
            out["ru"] = _cyrillic(name) + suffix
        elif language == "zh":
            out["zh"] = "".join(self.rng.choice(_HAN) for _ in range(2)) + suffix
        return out

    def _local(self, city: str, kind: tuple[str, str, str], language: str | None, n: int) -> dict[str, str]:
        if language == "ru":
            return {"ru": f"{_cyrillic(city)} {kind[1]} № {n}"}
        if language == "zh":
            return {"zh": "".join(self.rng.choice(_HAN) for _ in range(2)) + kind[2] + str(n)}
        return {}

    def institution(self, avoid: Collection[int] = ()) -> int:
        """An institution, by its activity (sometimes any one), other than those in ``avoid``."""
        while True:
            if self.rng.random() < 0.8:
                pick = self.rng.choices(range(len(self.institutions)), cum_weights=self.cumulative)[0]
            else:
                pick = self.rng.randrange(len(self.institutions))
            if pick not in avoid:
                return pick

    def inst_id(self, index: int) -> str:
        return self.institutions[index]["id"]

    def acronym(self, index: int) -> str:
        return self.institutions[index]["acronym"]["en"][0]

    def city(self, index: int) -> str:
        return self.institutions[index]["location"]


def documents(*, triples: int, seed: int = 1) -> Iterator[Document]:
    """The authoring documents of a synthetic graph of about ``triples`` triples (registries first).

    The generator does not know the size of what it yields; :func:`write` stops asking when enough
    triples are written. The same seed gives the same documents.
    """
    rng = random.Random(seed)
    world = _World(rng, triples)
    note = f"synthetic data (coopgraph synth --seed {seed}): invented for tests and benchmarks"
    yield Document("registry-s-places", "registry/places.yaml", {
        "source": {"id": "registry-s-places", "type": "Registry", "title": {"en": f"Places — {note}"}},
        "graph": world.places,
    })
    yield Document("registry-s-topics", "registry/topics.yaml", {
        "source": {"id": "registry-s-topics", "type": "Registry", "title": {"en": f"Topics — {note}"}},
        "graph": [{"id": "s-topics", "type": "ConceptScheme", "name": {"en": "Topics of cooperation"}}] + world.topics,
    })
    yield Document("registry-s-institutions", "registry/institutions.yaml", {
        "source": {"id": "registry-s-institutions", "type": "Registry", "title": {"en": f"Institutions — {note}"}},
        "graph": world.institutions,
    })
    number = 0
    while True:
        number += 1
        yield _trip(world, number)


def _trip(world: _World, n: int) -> Document:
    """One news item: a visit with its delegation, and what came of it."""
    rng = world.rng
    visitor = world.institution()
    hosts = [world.institution({visitor})]
    for _ in range(rng.choices((0, 1, 2), (70, 20, 10))[0]):
        hosts.append(world.institution({visitor, *hosts}))
    year = rng.choices(_YEARS, _YEAR_WEIGHTS)[0]
    start = _date(rng, year)
    end = start + _dt.timedelta(days=rng.randint(1, 7))
    planned = year == 2025 and start.month > 6
    visit_id = f"s-visit-{n}"
    v_acr, h_acr = world.acronym(visitor), world.acronym(hosts[0])
    graph: list[dict[str, Any]] = []
    participation = []
    staff = world.staff.setdefault(visitor, [])
    for _ in range(rng.choices((1, 2, 3, 4, 5), (20, 30, 25, 15, 10))[0]):
        member = rng.choice(staff) if staff and rng.random() < 0.6 else None
        if member is not None and all(p["participant"] != member[0] for p in participation):
            person, post = member
        else:
            world.people += 1
            person, post = f"s-person-{world.people}", f"s-person-{world.people}-post"
            family = _word(rng, 2)
            graph.append({
                "id": person, "type": "Person",
                "name": {"en": f"{rng.choice('ABCDEFGHIKLMNOPRSTVZ')}. {family}"}, "familyName": {"en": family},
                "posts": [{"id": post, "type": "Post", "organization": world.inst_id(visitor),
                           "role": rng.choice(_POSTS), "heldIn": f"{year}-{start.month:02d}"}],
            })
            staff.append((person, post))
        participation.append({"type": "Participation", "participant": person, "roleInEvent": "DelegationMember",
                              "inCapacityOf": post})
    visit: dict[str, Any] = {
        "id": visit_id, "type": "Visit",
        "name": {"en": f"{v_acr} delegation at {h_acr}" + (f" and {len(hosts) - 1} more" if len(hosts) > 1 else "")},
        "visitor": world.inst_id(visitor),
        "host": [world.inst_id(h) for h in hosts] if len(hosts) > 1 else world.inst_id(hosts[0]),
        "location": world.city(hosts[0]), "startDate": start.isoformat(), "endDate": end.isoformat(),
        "participation": participation,
    }
    if planned:
        visit["status"] = "Planned"
    if rng.random() < 0.35:
        parts = []
        for j, host in enumerate(hosts, start=1):
            topics = rng.sample(world.topics, rng.randint(1, 3))
            parts.append({"id": f"{visit_id}-meeting-{j}", "type": "Meeting",
                          "name": {"en": f"Working meeting at {world.acronym(host)}"}, "host": world.inst_id(host),
                          "location": world.city(host), "topic": [t["id"] for t in topics]})
        if len(hosts) > 1:
            parts.append({"id": f"{visit_id}-part-1", "type": "Visit", "name": {"en": f"{v_acr} delegation at {h_acr}"},
                          "visitor": world.inst_id(visitor), "host": world.inst_id(hosts[0]),
                          "location": world.city(hosts[0]), "startDate": start.isoformat()})
        visit["parts"] = parts
    graph.append(visit)
    if rng.random() < 0.3:
        parties = [visitor, hosts[0]] + ([world.institution({visitor, hosts[0]})] if rng.random() < 0.1 else [])
        agreement: dict[str, Any] = {
            "id": f"s-agreement-{n}", "type": rng.choice(("CooperationAgreement", "MemorandumOfUnderstanding")),
            "name": {"en": f"Agreement between {' and '.join(world.acronym(p) for p in parties)} ({year})"},
            "party": [world.inst_id(p) for p in parties], "status": "Planned" if planned else "Completed",
        }
        how = rng.random()
        if how < 0.6:
            agreement["signedOn"] = (start + _dt.timedelta(days=1)).isoformat()
        elif how < 0.8:
            conference = f"s-conference-{n}"
            graph.append({"id": conference, "type": "Conference",
                          "name": {"en": f"{world.acronym(hosts[0])} Forum on Cooperation {year}"},
                          "location": world.city(hosts[0]), "startDate": start.isoformat(), "endDate": end.isoformat()})
            agreement["signedAt"] = conference
        graph.append(agreement)
    if rng.random() < 0.12:
        graph.append({
            "id": f"s-programme-{n}", "type": rng.choice(("JointProgramme", "DoubleDegreeProgramme")),
            "name": {"en": f"{v_acr}–{h_acr} programme in {(field_name := rng.choice(_FIELDS))}"},
            "provider": [world.inst_id(visitor), world.inst_id(hosts[0])], "fieldOfStudy": {"en": field_name},
            "startDate": str(min(year + rng.randint(0, 1), 2025)), "status": "Planned" if planned else "Ongoing",
        })
    if rng.random() < 0.25:
        outgoing = rng.random() < 0.5
        sender, receiver = (visitor, hosts[0]) if outgoing else (hosts[0], visitor)
        graph.append({
            "id": f"s-mobility-{n}", "type": "Mobility", "mobilityKind": rng.choice(_MOBILITY),
            "sender": world.inst_id(sender), "receiver": world.inst_id(receiver),
            "participantCount": str(rng.randint(1, 40)),
            "startDate": f"{year}-{start.month:02d}" if rng.random() < 0.5 else str(year),
            "status": "Planned" if planned else rng.choice(("Completed", "Ongoing")),
        })
    source_id = f"s-source-{n}"
    issued = end + _dt.timedelta(days=rng.randint(0, 10))
    source = {
        "id": source_id, "type": "NewsArticle",
        "title": {"en": f"{v_acr} delegation visits {h_acr}"}, "issued": f"{issued.isoformat()}T{rng.randint(8, 19):02d}:00",
        "language": rng.choice(("en", "ru", "zh")), "publisher": world.inst_id(visitor),
    }
    return Document(source_id, f"sources/{source_id}.yaml", {"source": source, "graph": graph})


# ------------------------------------------------------------------------------------------ statements


def _closure(relation: URIRef) -> dict[str, list[str]]:
    """The ontology's closure (see :func:`coopgraph.resources.closure`) as sorted IRI strings."""
    return {str(child): sorted(str(p) for p in parents) for child, parents in resources.closure(relation).items()}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


class _Statements:
    """What ``coopgraph build`` makes of an authoring document, as N-Triples lines, without rdflib.

    The mapping is read from the same files the YAML reader reads (the JSON-LD context and the
    ontology): keys and their kinds of value, dates typed by their form, classes entailed by
    subclass axioms and statements by subproperty axioms, and a ``prov:wasDerivedFrom`` from every
    entity to its source. ``tests/test_synth.py`` checks that the two agree, statement for statement.
    """

    def __init__(self) -> None:
        context = resources.context()["@context"]
        ontology = resources.vocabulary()
        self.base = context.get("@base", ids.ID_BASE)
        prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}

        def expand(curie: str) -> str:
            prefix, _, local = curie.partition(":")
            return prefixes[prefix] + local if prefix in prefixes else curie

        owl_classes = {str(c) for c in ontology.subjects(RDF.type, OWL.Class)}
        self.terms: dict[str, str] = {}
        self.properties: dict[str, tuple[str, bool, str | None]] = {}  # key → (IRI, reverse, kind)
        dated = {str(COOP.PartialDate), str(COOP.Timestamp)}
        for key, value in context.items():
            if key.startswith("@") or key in ("id", "type") or key in prefixes:
                continue
            if isinstance(value, dict):
                reverse = "@reverse" in value
                iri = expand(value["@reverse"] if reverse else value["@id"])
                kind = value.get("@type")
                if value.get("@container") == "@language":
                    kind = "@language"
                elif kind is None and str(ontology.value(URIRef(iri), RDFS.range)) in dated:
                    kind = "@date"
                elif kind not in (None, "@id", "@vocab"):
                    kind = expand(kind)
                self.properties[key] = (iri, reverse, kind)
            elif key[:1].isupper():
                self.terms[key] = expand(value)
        self.classes = {k for k, v in self.terms.items() if v in owl_classes}
        self.superclasses = _closure(RDFS.subClassOf)
        self.superproperties = _closure(RDFS.subPropertyOf)
        self.rdf_type = f"<{RDF.type}>"

    def document(self, document: Document) -> Iterator[list[str]]:
        """The document's statements as N-Triples lines (no final dot), entity by entity, once each.

        An entity's statements (its nested nodes' included) are one chunk: a registry of 60,000
        institutions is never held as one list of lines.
        """
        source = document.content["source"]
        self.source = f"<{self.base}{source['id']}>"
        out: dict[str, None] = {}
        self._node(source, "", out, is_source=True)
        yield list(out)
        for i, node in enumerate(document.content.get("graph", []), start=1):
            out = {}
            self._node(node, f"{source['id']}-{i}", out)
            yield list(out)
        graph = f"<{ids.graph(document.source_id)}>"
        yield [f"{graph} <{_PROV_DERIVED}> {self.source}", f'{graph} <{COOP.fileName}> "{_escape(document.path)}"']

    def _add(self, out: dict[str, None], subject: str, predicate: str, obj: str) -> None:
        out[f"{subject} <{predicate}> {obj}"] = None
        for parent in self.superproperties.get(predicate, ()):
            out[f"{subject} <{parent}> {obj}"] = None

    def _node(self, node: dict[str, Any], default_id: str, out: dict[str, None], *, is_source: bool = False) -> str:
        local = node.get("id", default_id)
        subject = f"<{self.base}{local}>"
        types = node["type"] if isinstance(node["type"], list) else [node["type"]]
        for name in types:
            cls = self.terms[name]
            out[f"{subject} {self.rdf_type} <{cls}>"] = None
            for parent in self.superclasses.get(cls, ()):
                out[f"{subject} {self.rdf_type} <{parent}>"] = None
        if not is_source:
            out[f"{subject} <{_PROV_DERIVED}> {self.source}"] = None
        for key, value in node.items():
            if key in ("id", "type"):
                continue
            iri, reverse, kind = self.properties[key]
            if kind == "@language":
                for language, texts in value.items():
                    for text in texts if isinstance(texts, list) else [texts]:
                        self._add(out, subject, iri, f'"{_escape(text)}"@{language.lower()}')
                continue
            for index, item in enumerate(value if isinstance(value, list) else [value], start=1):
                if isinstance(item, dict):
                    obj = self._node(item, ids.nested(local, key, index), out)
                elif kind == "@id":
                    obj = f"<{item}>" if "://" in item else f"<{self.base}{item}>"
                elif kind == "@vocab":
                    obj = f"<{self.terms[item]}>"
                elif kind == "@date":
                    obj = f'"{item}:00"^^<{_XSD}dateTime>' if item.count(":") == 1 else f'"{item}"^^<{_XSD}{_date_type(item)}>'
                elif kind is None:
                    obj = f'"{_escape(item)}"'
                else:
                    obj = f'"{_escape(item)}"^^<{kind}>'
                if reverse:
                    self._add(out, obj, iri, subject)
                else:
                    self._add(out, subject, iri, obj)
        return subject


def _date_type(text: str) -> str:
    if "T" in text:
        return "dateTime"
    return {4: "gYear", 7: "gYearMonth", 10: "date"}[len(text)]


# ------------------------------------------------------------------------------------------ writing


@dataclass
class SynthReport:
    """What :func:`write` wrote."""

    out: Path
    format: str
    triples: int
    documents: int
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The report as ``coopgraph synth`` prints it."""
        where = self.files[0] if len(self.files) == 1 else f"{self.out}/ ({len(self.files)} files)"
        return [f"wrote {self.triples} triples in {self.documents} named graphs to {where} ({self.format}, "
                f"{self.seconds:.1f} s)"]


class _YamlDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def write(out: str | Path, *, triples: int, seed: int = 1, format: str = "yaml") -> SynthReport:
    """Write a synthetic graph of about ``triples`` triples into the folder ``out``.

    Parameters
    ----------
    out : the output folder (created; files of the same names are replaced)
    triples : how many triples to write, at least (the last document is written whole)
    seed : the random seed: the same seed and size give the same bytes
    format : ``yaml`` (``registry/`` and ``sources/``), ``nq`` (``synth.nq``) or ``nt`` (``synth.nt``)

    Returns
    -------
    SynthReport

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     report = write(folder, triples=2000, seed=7, format="nq")
    ...     report.triples >= 2000
    True
    """
    if format not in FORMATS:
        raise CoopgraphError(f"unknown format '{format}' — use one of {', '.join(FORMATS)}")
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    statements = _Statements()
    report = SynthReport(out=out, format=format, triples=0, documents=0)
    stream = None
    if format != "yaml":
        path = out / f"synth.{format}"
        stream = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 (closed below)
        report.files.append(path)
    try:
        for document in documents(triples=triples, seed=seed):
            if stream is not None:
                end = " .\n" if format == "nt" else f" <{ids.graph(document.source_id)}> .\n"
                for lines in statements.document(document):
                    stream.write(end.join(lines) + end)
                    report.triples += len(lines)
            else:
                report.triples += sum(len(lines) for lines in statements.document(document))
                path = out / document.path
                path.parent.mkdir(parents=True, exist_ok=True)
                text = yaml.dump(document.content, Dumper=_YamlDumper, allow_unicode=True, sort_keys=False, width=200)
                path.write_text(f"# {document.content['source']['title']['en']}\n{text}", encoding="utf-8")
                report.files.append(path)
            report.documents += 1
            if report.triples >= triples:
                break
    finally:
        if stream is not None:
            stream.close()
    report.seconds = time.perf_counter() - started
    return report
