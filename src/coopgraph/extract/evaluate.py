"""Compare a draft with a curated source file: precision and recall per kind of fact.

Both files are read by the authoring-format reader (:func:`coopgraph.sources.yamlld.read_yaml_ld`), so
layout, key order, ids of the draft's own nodes, names and quotes do not matter: each graph is reduced to
normalised tuples, and tuples are compared as multisets (a fact stated twice counts twice).

Matching, kind by kind (an institution is its registry id; a unit is replaced by (its institution, its
class); a family name is compared transliterated to Latin and case-folded; "—" is an absent value):

============== ====================================================================================
kind           tuple
============== ====================================================================================
institutions   the id of every institution the facts refer to (visitor, host, party, provider,
               sender, receiver, publisher, unitOf, post organisation, attendee) that the file does
               not define itself — registry ids; an ``unresolved-...`` id never matches
people         (family name, role, institution, unit class) per post; (family name, —, —, —) for a
               person without a post; an unnamed person has family name —
participation  (visitor of the visit, family name of the member, role in the event)
dates          (kind of entity, property, value) for startDate, endDate, signedOn, heldIn,
               statusAsOf and the source's issued; kinds: Visit, Meeting, SiteVisit, Conference,
               Agreement, Programme, Mobility, Post, Source — the value must be equal, precision too
visits         (visitor, set of hosts, startDate, endDate), the parts of a visit included
events         (class, location) of each Meeting, SiteVisit and Conference
agreements     (set of parties, the event it was signed at as (class, startDate), signedOn, status);
               an ActionPlan is (—, —, —, status)
programmes     (set of providers, field of study case-folded, startDate, double degree or not)
mobility       (mobility kind, sender, receiver, number of participants, status)
topics         (class of the event, its location, topic id) for every topic of an event
overall        all of the above together (micro-averaged)
============== ====================================================================================
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF

from coopgraph import ids
from coopgraph.namespaces import COOP, PREFIXES
from coopgraph.sources.yamlld import read_yaml_ld

__all__ = ["KINDS", "Score", "Evaluation", "facts_of", "evaluate_files", "evaluate_draft"]

SCHEMA = Namespace(PREFIXES["schema"])
ORG = Namespace(PREFIXES["org"])
#: Kinds of fact, in the order they are reported.
KINDS = ("institutions", "people", "participation", "dates", "visits", "events", "agreements", "programmes",
         "mobility", "topics")
_GROUPS = {"DoubleDegreeProgramme": "Programme", "JointProgramme": "Programme", "CooperationAgreement": "Agreement",
           "MemorandumOfUnderstanding": "Agreement", "Agreement": "Agreement", "ActionPlan": "ActionPlan",
           "Membership": "Post", "NewsArticle": "Source", "SourceDocument": "Source", "Registry": "Source"}
_INSTITUTION_LINKS = (COOP.visitor, COOP.host, COOP.party, SCHEMA.provider, COOP.sender, COOP.receiver,
                      DCTERMS.publisher, ORG.unitOf, ORG.organization, SCHEMA.attendee)
_DATES = (SCHEMA.startDate, SCHEMA.endDate, COOP.signedOn, COOP.heldIn, COOP.statusAsOf, DCTERMS.issued)


def _local(term: object) -> str:
    text = ids.local_id(term) if isinstance(term, URIRef) else str(term)  # type: ignore[arg-type]
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if text.startswith("http") else text


def _translit(text: str) -> str:
    from coopgraph.extract.facts import transliterate

    return transliterate(text).casefold()


class _Facts:
    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.defined = set(graph.subjects(RDF.type, None))

    def kind(self, node: object) -> str:
        types = sorted(_local(t) for t in self.g.objects(node, RDF.type))  # type: ignore[arg-type]
        name = types[0] if types else "?"
        return _GROUPS.get(name, name)

    def one(self, node: object, prop: URIRef) -> str | None:
        value = self.g.value(node, prop)  # type: ignore[arg-type]
        return None if value is None else _local(value) if isinstance(value, URIRef) else str(value)

    def many(self, node: object, prop: URIRef) -> frozenset[str]:
        return frozenset(_local(o) for o in self.g.objects(node, prop))  # type: ignore[arg-type]

    def typed(self, *classes: URIRef) -> list[object]:
        return sorted({s for c in classes for s in self.g.subjects(RDF.type, c)}, key=str)

    def family(self, person: object) -> str | None:
        names = {o.language: str(o) for o in self.g.objects(person, FOAF.familyName) if isinstance(o, Literal)}  # type: ignore[arg-type]
        for lang in ("ru", "en", *sorted(k for k in names if k)):
            if lang in names:
                return _translit(names[lang])
        return None

    def institution_of(self, org: object) -> tuple[str | None, str | None]:
        unit_of = self.g.value(org, ORG.unitOf)  # type: ignore[arg-type]
        if unit_of is not None:
            return _local(unit_of), self.kind(org)
        return (_local(org) if org is not None else None), None

    def all(self) -> dict[str, Counter]:
        out: dict[str, Counter] = {k: Counter() for k in KINDS}
        g = self.g
        for prop in _INSTITUTION_LINKS:
            for _, o in g.subject_objects(prop):
                if isinstance(o, URIRef) and o not in self.defined:
                    out["institutions"][_local(o)] = 1
        for person in self.typed(FOAF.Person):
            family = self.family(person)
            posts = list(g.subjects(ORG.member, person))
            for post in posts:
                inst, unit = self.institution_of(g.value(post, ORG.organization))
                out["people"][(family, self.one(post, ORG.role), inst, unit)] += 1
            if not posts:
                out["people"][(family, None, None, None)] += 1
        for prop in _DATES:
            for s, o in g.subject_objects(prop):
                out["dates"][(self.kind(s), _local(prop), str(o))] += 1
        for visit in self.typed(COOP.Visit):
            out["visits"][(self.one(visit, COOP.visitor), self.many(visit, COOP.host),
                           self.one(visit, SCHEMA.startDate), self.one(visit, SCHEMA.endDate))] += 1
            for part in g.objects(visit, COOP.participation):
                out["participation"][(self.one(visit, COOP.visitor), self.family(g.value(part, COOP.participant)),
                                      self.one(part, COOP.roleInEvent))] += 1
        for event in self.typed(COOP.Meeting, COOP.SiteVisit, COOP.Conference):
            out["events"][(self.kind(event), self.one(event, SCHEMA.location))] += 1
            for topic in g.objects(event, COOP.topic):
                out["topics"][(self.kind(event), self.one(event, SCHEMA.location), _local(topic))] += 1
        for agreement in self.typed(COOP.Agreement, COOP.CooperationAgreement, COOP.MemorandumOfUnderstanding):
            event = g.value(agreement, COOP.signedAt)
            at = (self.kind(event), self.one(event, SCHEMA.startDate)) if event is not None else None
            out["agreements"][(self.many(agreement, COOP.party), at, self.one(agreement, COOP.signedOn),
                               self.one(agreement, COOP.status))] += 1
        for plan in self.typed(COOP.ActionPlan):
            out["agreements"][("ActionPlan", None, None, self.one(plan, COOP.status))] += 1
        for programme in self.typed(COOP.JointProgramme, COOP.DoubleDegreeProgramme):
            fields = sorted((o.language or "", str(o).casefold()) for o in g.objects(programme, COOP.fieldOfStudy))
            out["programmes"][(self.many(programme, SCHEMA.provider), fields[0][1] if fields else None,
                               self.one(programme, SCHEMA.startDate),
                               (programme, RDF.type, COOP.DoubleDegreeProgramme) in g)] += 1
        for mobility in self.typed(COOP.Mobility):
            out["mobility"][(self.one(mobility, COOP.mobilityKind), self.one(mobility, COOP.sender),
                             self.one(mobility, COOP.receiver), self.one(mobility, COOP.participantCount),
                             self.one(mobility, COOP.status))] += 1
        return out


def facts_of(graph: Graph) -> dict[str, Counter]:
    """The normalised facts of one source's graph, per kind (see the module docstring)."""
    return _Facts(graph).all()


@dataclass(frozen=True)
class Score:
    """Counts and rates of one kind: ``gold`` and ``draft`` facts, ``matched`` in both."""

    kind: str
    gold: int
    draft: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.draft if self.draft else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0


@dataclass
class Evaluation:
    """Scores per kind and overall, with the facts missed and the facts the draft added."""

    scores: list[Score]
    missed: dict[str, list] = field(default_factory=dict)
    extra: dict[str, list] = field(default_factory=dict)

    @property
    def overall(self) -> Score:
        return self.scores[-1]

    def score(self, kind: str) -> Score:
        return next(s for s in self.scores if s.kind == kind)

    def lines(self, *, details: bool = True) -> list[str]:
        """A table (kind, gold, draft, matched, precision, recall), then what was missed and added."""
        out = [f"{'kind':<14} {'gold':>5} {'draft':>6} {'match':>6} {'precision':>10} {'recall':>7}"]
        for s in self.scores:
            out.append(f"{s.kind:<14} {s.gold:>5} {s.draft:>6} {s.matched:>6} {s.precision:>10.2f} {s.recall:>7.2f}")
        if details:
            for title, table in (("missed (in the curated file, not in the draft)", self.missed),
                                 ("added (in the draft, not in the curated file)", self.extra)):
                rows = [(k, f) for k in KINDS for f in table.get(k, [])]
                if rows:
                    out.append(f"{title}:")
                    out += [f"  {k}: {_show(f)}" for k, f in rows]
        return out


def _show(fact: object) -> str:
    if isinstance(fact, tuple):
        return "(" + ", ".join(_show(x) for x in fact) + ")"
    if isinstance(fact, frozenset):
        return "{" + ", ".join(sorted(map(str, fact))) + "}"
    return "—" if fact is None else str(fact)


def compare(gold: dict[str, Counter], draft: dict[str, Counter]) -> Evaluation:
    """Precision and recall per kind of two fact tables (from :func:`facts_of`)."""
    scores, missed, extra = [], {}, {}
    totals = [0, 0, 0]
    for kind in KINDS:
        g, d = gold[kind], draft[kind]
        matched = sum((g & d).values())
        scores.append(Score(kind, sum(g.values()), sum(d.values()), matched))
        missed[kind] = sorted((g - d).elements(), key=repr)
        extra[kind] = sorted((d - g).elements(), key=repr)
        totals = [totals[0] + sum(g.values()), totals[1] + sum(d.values()), totals[2] + matched]
    scores.append(Score("overall", *totals))
    return Evaluation(scores, missed, extra)


def evaluate_files(gold: str | Path, draft: str | Path) -> Evaluation:
    """Compare two authoring files (a curated one and a draft)."""
    return compare(facts_of(read_yaml_ld(gold).graph), facts_of(read_yaml_ld(draft).graph))


def evaluate_draft(gold: str | Path, draft) -> Evaluation:
    """Compare a curated file with a :class:`~coopgraph.extract.Draft` (written to a temporary file and read back)."""
    handle, temporary = tempfile.mkstemp(suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(draft.yaml())
        return evaluate_files(gold, temporary)
    finally:
        Path(temporary).unlink(missing_ok=True)
