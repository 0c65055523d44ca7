"""Resolve a mention of an institution (an id, a ROR or Wikidata id, a name in any language) to one node.

A mention resolves by, in one pass:

- the registry id (``lstu``, ``cgid:lstu``) or the entity IRI;
- a ROR id in any of its forms (``006fh5g40``, ``ror.org/006fh5g40``, ``https://ror.org/006fh5g40``),
  including the id of a withdrawn duplicate that the registry folded into its successor;
- a Wikidata id (``Q14478494``, ``wd:Q14478494`` or its entity or wiki URL);
- an acronym (``coop:acronym``, or an alias written in capitals such as ``ЛГТУ``): exactly, ignoring
  case and punctuation only — never by inflection or similarity;
- a name or alias (``skos:prefLabel``, ``skos:altLabel``) in any language, ignoring case, punctuation,
  diacritics of Latin script and Russian inflection: each Cyrillic word is compared through every
  dictionary form pymorphy3 gives it (``Шэньянским технологическим университетом`` →
  ``шэньянский технологический университет``).

Every way that matches is tried, and the results are pooled: one institution is the answer, two or more
raise :class:`AmbiguousInstitution` listing them (id, name, city, country, ROR), none raises
:class:`UnknownInstitution` with the closest names. There is no fuzzy match and no silent guess.

The resolver reads any RDF graph that holds institutions with their names, sameAs links and locations
(the built dataset, a store's union graph, the registry read on its own): :meth:`Resolver.from_graph`.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

from coopgraph import ids, resources
from coopgraph.errors import CoopgraphError
from coopgraph.namespaces import COOP, PREFIXES
from coopgraph.queryfiles import load_query

__all__ = [
    "institution",
    "resolver",
    "search_index",
    "identifiers",
    "Institution",
    "Resolver",
    "ResolutionError",
    "AmbiguousInstitution",
    "UnknownInstitution",
    "name_key",
    "acronym_key",
    "looks_like_acronym",
]

SCHEMA = Namespace(PREFIXES["schema"])
_ROR_BASE = "https://ror.org/"
_WIKIDATA_BASE = "http://www.wikidata.org/entity/"
_ROR_TEXT = re.compile(r"^(?:(?:https?://)?(?:www\.)?ror\.org/)?(?P<id>0[0-9a-hj-km-np-tv-z]{6}[0-9]{2})/?$", re.I)
_WIKIDATA_TEXT = re.compile(
    r"^(?:(?:https?://)?(?:www\.)?wikidata\.org/(?:entity|wiki)/|wd:)?(?P<q>Q[1-9][0-9]*)$", re.I
)
_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


# ---------------------------------------------------------------- normalising names


@functools.cache
def _morph():  # loaded on first use: about 50 ms, and only when a Russian name is compared
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@functools.lru_cache(maxsize=65536)
def _forms(word: str) -> frozenset[str]:
    """The forms one word is compared by: itself and, for Russian, every dictionary form it may have."""
    if _CYRILLIC.search(word):
        forms = {word}
        forms.update(p.normal_form.replace("ё", "е") for p in _morph().parse(word))
        return frozenset(forms)
    folded = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return frozenset({folded})


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return _WORD.findall(text)


def name_key(text: str) -> tuple[frozenset[str], ...]:
    """What a name is compared by: per word, the set of its forms (case, punctuation and inflection aside).

    Two names match when they have as many words and each pair of words shares a form.

    >>> [sorted(w) for w in name_key("Шэньянским технологическим")]
    [['шэньянский', 'шэньянским'], ['технологический', 'технологическим']]
    >>> name_key("Dōngběi  Dàxué") == name_key("dongbei daxue")
    True
    """
    return tuple(_forms(word) for word in _words(text))


def acronym_key(text: str) -> str:
    """What an acronym is compared by: its letters and digits, case-folded (``L.S.T.U.`` → ``lstu``).

    >>> acronym_key("KNRTU-KAI"), acronym_key("ЛГТУ")
    ('knrtukai', 'лгту')
    """
    return "".join(_words(text))


def looks_like_acronym(text: str) -> bool:
    """Whether an alias is an abbreviation written in capitals (``ЛГТУ``, ``USTL``, ``KNRTU-KAI``, ``OmSTU``).

    >>> looks_like_acronym("ЛГТУ"), looks_like_acronym("Липецкий Политех"), looks_like_acronym("OmSTU")
    (True, False, True)
    """
    compact = text.strip()
    if " " in compact or not (2 <= len(compact) <= 12):
        return False
    letters = [c for c in compact if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return bool(letters) and upper >= 2 and upper >= len(letters) - 1


def _key_text(key: tuple[frozenset[str], ...]) -> str:
    return " ".join(min(forms, key=lambda f: (len(f), f)) for forms in key)


def _matches(a: tuple[frozenset[str], ...], b: tuple[frozenset[str], ...]) -> bool:
    return len(a) == len(b) and all(x & y for x, y in zip(a, b, strict=True))


# ---------------------------------------------------------------- institutions and errors


@dataclass(frozen=True)
class Institution:
    """An institution as the resolver knows it.

    Attributes
    ----------
    iri : its node in the graph
    names : every name and alias, with its language (``None`` when untagged)
    acronyms : abbreviations, matched exactly
    ror : ROR IRIs: the live record (``owl:sameAs``) first, then withdrawn duplicates (``coop:withdrawnRor``)
    wikidata : Wikidata entity IRIs
    city, country : English (or else any) names of its city and country, when known
    """

    iri: URIRef
    names: tuple[tuple[str, str | None], ...] = ()
    acronyms: tuple[str, ...] = ()
    ror: tuple[str, ...] = ()
    wikidata: tuple[str, ...] = ()
    city: str | None = None
    country: str | None = None
    preferred: tuple[tuple[str, str | None], ...] = field(default=(), compare=False)

    @property
    def id(self) -> str:
        """The registry id (``lstu``), or the IRI for a node outside coopgraph's ids."""
        return ids.local_id(self.iri)

    @property
    def name(self) -> str:
        """The English preferred name, else any preferred name, else any name."""
        for pool in (self.preferred, self.names):
            for text, lang in pool:
                if lang == "en":
                    return text
            if pool:
                return pool[0][0]
        return self.acronyms[0] if self.acronyms else self.id

    def describe(self) -> str:
        """``neu-shenyang: Northeastern University, Shenyang, China, ror:03awzbc87``."""
        parts = [self.name] + [p for p in (self.city, self.country) if p]
        if self.ror:
            parts.append("ror:" + self.ror[0][len(_ROR_BASE):])
        return f"{self.id}: " + ", ".join(parts)


class ResolutionError(CoopgraphError):
    """A mention that does not resolve to exactly one institution."""

    def __init__(self, mention: str, message: str) -> None:
        self.mention = mention
        super().__init__(message)


class AmbiguousInstitution(ResolutionError):
    """A mention that matches several institutions; ``candidates`` lists them."""

    def __init__(self, mention: str, candidates: list[Institution]) -> None:
        self.candidates = candidates
        listed = "; ".join(c.describe() for c in candidates)
        super().__init__(
            mention,
            f"'{mention}' matches {len(candidates)} institutions ({listed}) — use the id or the ROR id",
        )


class UnknownInstitution(ResolutionError):
    """A mention that matches no institution; ``closest`` holds the nearest known names, with their ids."""

    def __init__(self, mention: str, closest: list[tuple[str, str]], hint: str | None = None) -> None:
        self.closest = closest
        if hint:
            advice = hint
        elif closest:
            advice = "closest names: " + ", ".join(f"'{name}' ({id_})" for name, id_ in closest)
            advice += (" — write the full name or the id; if it is another institution, add that institution to "
                       "the registry (coopgraph import ror)")
        else:
            advice = "no similar name either — add the institution to the registry (coopgraph import ror)"
        super().__init__(mention, f"'{mention}' matches no institution; {advice}")


# ---------------------------------------------------------------- in a store: the one way in


def institution(store: Any, mention: str) -> URIRef:
    """The IRI of the one institution that ``mention`` denotes in a store — the resolver behind every path.

    The ``institution`` parameters of the query library, ``viz --focus``, ``coopgraph resolve``, the
    endpoint's named queries and the graph page's search all resolve a mention here (the page through
    the tables of :func:`search_index`): its id (``lstu``, ``cgid:lstu``), IRI, ROR or Wikidata id,
    acronym (``ЛГТУ``, ``LSTU``) or any name or alias in any language and inflection
    (``Липецкого Политеха``).

    Parameters
    ----------
    store : a :class:`coopgraph.stores.Store` (anything with ``query(text)`` that answers a CONSTRUCT
        with ``.graph``)
    mention : what a person wrote

    Raises
    ------
    AmbiguousInstitution, UnknownInstitution
        when the mention denotes several institutions, or none
    """
    text = mention.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if text.startswith(("http://", "https://", "cgid:")) and not _ROR_TEXT.match(text) and not _WIKIDATA_TEXT.match(text):
        iri = URIRef(ids.entity(text[len("cgid:"):])) if text.startswith("cgid:") else URIRef(text)
        if _typed_institution(store, iri):
            return iri  # an institution's own IRI: no need to gather every name of the store (2 s at 1M triples)
    return resolver(store).resolve_iri(mention)


def _typed_institution(store: Any, iri: URIRef) -> bool:
    if not re.fullmatch(r"[^\s<>\"{}|\\^`]+", str(iri)):
        return False
    return bool(store.query(f"ASK {{ <{iri}> a <{COOP.Institution}> }}").askAnswer)


def resolver(store: Any) -> Resolver:
    """The resolver over the institutions of a store: their names are fetched once per store
    (``queries/identity/institution-names.rq``) and kept while the store is."""
    cached = _BY_STORE.get(store)
    if cached is None:
        text = load_query("identity/institution-names").text
        cached = _BY_STORE[store] = Resolver.from_graph(store.query(text).graph)
    return cached


_BY_STORE: weakref.WeakKeyDictionary[Any, Resolver] = weakref.WeakKeyDictionary()


# ---------------------------------------------------------------- the resolver


def _institution_classes() -> set[URIRef]:
    ontology = resources.ontology()
    found = {URIRef(COOP.Institution)}
    todo = [URIRef(COOP.Institution)]
    while todo:
        current = todo.pop()
        for sub in ontology.subjects(RDFS.subClassOf, current):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def _label(graph: Graph, node: object) -> str | None:
    labels = [o for o in graph.objects(node, SKOS.prefLabel) if isinstance(o, Literal)]  # type: ignore[arg-type]
    if not labels:
        return None
    labels.sort(key=lambda o: (o.language != "en", o.language or "", str(o)))
    return str(labels[0])


def _country(graph: Graph, place: object) -> str | None:
    seen = set()
    current = place
    while current is not None and current not in seen:
        seen.add(current)
        if (current, RDF.type, COOP.Country) in graph or (current, COOP.countryCode, None) in graph:
            return _label(graph, current)
        current = graph.value(current, SCHEMA.containedInPlace)  # type: ignore[arg-type]
    return None


class Resolver:
    """Resolves mentions to institutions; build it once per graph and reuse it.

    Parameters
    ----------
    institutions : what to resolve to

    Examples
    --------
    >>> lstu = Institution(URIRef(ids.entity("lstu")), names=(("Липецкий Политех", "ru"),), acronyms=("ЛГТУ",))
    >>> Resolver([lstu]).resolve("Липецкого Политеха").id
    'lstu'
    """

    def __init__(self, institutions: Iterable[Institution]) -> None:
        self.institutions = sorted(set(institutions), key=lambda i: str(i.iri))
        self._by_iri: dict[str, list[Institution]] = {}
        self._by_acronym: dict[str, list[Institution]] = {}
        self._by_first_word: dict[str, list[tuple[tuple[frozenset[str], ...], Institution]]] = {}
        self._names: list[tuple[str, str, Institution]] = []  # (key text, original, institution)
        for inst in self.institutions:
            for iri in (str(inst.iri), *inst.ror, *inst.wikidata):
                self._add(self._by_iri, iri, inst)
            for acronym in inst.acronyms:
                self._add(self._by_acronym, acronym_key(acronym), inst)
            for text, _ in inst.names:
                if looks_like_acronym(text):
                    self._add(self._by_acronym, acronym_key(text), inst)
                    continue
                key = name_key(text)
                if not key:
                    continue
                for form in key[0]:
                    self._by_first_word.setdefault(form, []).append((key, inst))
                self._names.append((_key_text(key), text, inst))

    @staticmethod
    def _add(index: dict[str, list[Institution]], key: str, inst: Institution) -> None:
        found = index.setdefault(key, [])
        if inst not in found:
            found.append(inst)

    @classmethod
    def from_graph(cls, graph: Graph) -> Resolver:
        """A resolver for the institutions of ``graph`` (any node typed coop:Institution or a subclass).

        Reads ``skos:prefLabel``, ``skos:altLabel``, ``coop:acronym``, ``owl:sameAs`` (ROR and Wikidata
        IRIs) and ``schema:location`` with its ``schema:containedInPlace`` chain (for city and country).
        """
        classes = _institution_classes()
        nodes = {s for c in classes for s in graph.subjects(RDF.type, c) if isinstance(s, URIRef)}
        institutions = []
        for node in nodes:
            preferred = tuple(
                sorted((str(o), o.language) for o in graph.objects(node, SKOS.prefLabel) if isinstance(o, Literal))
            )
            aliases = tuple(
                sorted((str(o), o.language) for o in graph.objects(node, SKOS.altLabel) if isinstance(o, Literal))
            )
            acronyms = tuple(sorted(str(o) for o in graph.objects(node, COOP.acronym) if isinstance(o, Literal)))
            ror, wikidata = identifiers(graph.objects(node, OWL.sameAs), graph.objects(node, COOP.withdrawnRor))
            place = graph.value(node, SCHEMA.location)
            institutions.append(
                Institution(
                    iri=node,
                    names=preferred + aliases,
                    acronyms=acronyms,
                    ror=ror,
                    wikidata=wikidata,
                    city=_label(graph, place) if place is not None else None,
                    country=_country(graph, place) if place is not None else None,
                    preferred=preferred,
                )
            )
        return cls(institutions)

    # -- resolving ---------------------------------------------------------------------------

    def candidates(self, mention: str) -> list[Institution]:
        """Every institution the mention may denote (no error; empty when none), sorted by id."""
        text = mention.strip()
        found: list[Institution] = []

        def add(items: Iterable[Institution]) -> None:
            for item in items:
                if item not in found:
                    found.append(item)

        if not text:
            return []
        ror = _ROR_TEXT.match(text)
        if ror:
            add(self._by_iri.get(_ROR_BASE + ror.group("id").lower(), []))
        wikidata = _WIKIDATA_TEXT.match(text)
        if wikidata:
            add(self._by_iri.get(_WIKIDATA_BASE + wikidata.group("q").upper(), []))
        local = text[len("cgid:"):] if text.startswith("cgid:") else text
        if ids.REFERENCE_PATTERN.match(local):
            add(self._by_iri.get(str(ids.entity(local)), []))
        if text.startswith(("http://", "https://")):
            add(self._by_iri.get(text, []))
        add(self._by_acronym.get(acronym_key(text), []))
        key = name_key(text)
        if key:
            for form in key[0]:
                for name, inst in self._by_first_word.get(form, []):
                    if _matches(key, name):
                        add([inst])
        return sorted(found, key=lambda i: i.id)

    def resolve(self, mention: str) -> Institution:
        """The one institution ``mention`` denotes.

        Raises
        ------
        AmbiguousInstitution
            when it matches several (the message lists id, name, city, country and ROR of each)
        UnknownInstitution
            when it matches none (the message gives the closest names)
        """
        found = self.candidates(mention)
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousInstitution(mention, found)
        raise UnknownInstitution(mention, self.closest(mention), self._hint(mention))

    def resolve_iri(self, mention: str) -> URIRef:
        """The IRI of the one institution ``mention`` denotes (see :meth:`resolve`)."""
        return self.resolve(mention).iri

    def closest(self, mention: str, *, n: int = 3) -> list[tuple[str, str]]:
        """The ``n`` known names nearest to ``mention`` (acronyms excluded), as (name, id).

        Names that hold every word of the mention come first (``Northeastern`` → ``Northeastern
        University``): a part of a name is never resolved, but it is shown.
        """
        words = name_key(mention)
        if words:
            holding = [(original, inst.id) for _, original, inst in self._names
                       if all(any(w & forms for forms in name_key(original)) for w in words)]
            holding = sorted(dict.fromkeys(holding), key=lambda pair: (pair[1], len(pair[0])))
            seen: set[str] = set()
            unique = [(name, id_) for name, id_ in holding if not (id_ in seen or seen.add(id_))]
            if unique:
                return unique[:n]
        key = _key_text(words)
        if not key:
            return []
        texts = sorted({k for k, _, _ in self._names})
        close = difflib.get_close_matches(key, texts, n=n, cutoff=0.5)
        out: list[tuple[str, str]] = []
        for text in close:
            for k, original, inst in self._names:
                if k == text and (original, inst.id) not in out:
                    out.append((original, inst.id))
                    break
        return out[:n]

    def _hint(self, mention: str) -> str | None:
        text = mention.strip()
        if _ROR_TEXT.match(text) and (text.startswith(("http", "ror.org", "www")) or text[:1] == "0"):
            return "no institution in the registry has this ROR id — import its record: coopgraph import ror FILE"
        if _WIKIDATA_TEXT.match(text):
            return "no institution in the registry has this Wikidata id — add it to the institution's sameAs"
        return None


# ---------------------------------------------------------------- the graph page's search


def identifiers(same_as: Iterable[str], withdrawn_ror: Iterable[str] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ROR and the Wikidata IRIs among an institution's ``owl:sameAs`` links, as :class:`Institution` holds them.

    >>> identifiers(["http://www.wikidata.org/entity/Q1", "https://ror.org/006fh5g40"], ["https://ror.org/00s6tnr74"])
    (('https://ror.org/006fh5g40', 'https://ror.org/00s6tnr74'), ('http://www.wikidata.org/entity/Q1',))
    """
    same = [str(s) for s in same_as]
    live = sorted(s for s in same if s.startswith(_ROR_BASE))
    withdrawn = sorted(str(s) for s in withdrawn_ror if str(s) not in live)
    return tuple(live + withdrawn), tuple(sorted(s for s in same if s.startswith(_WIKIDATA_BASE)))


def _id_prefixes() -> list[str]:
    """What may stand before an id (``cgid:``, the entity base, the ROR and Wikidata URL forms), as acronym keys."""
    hosts = [scheme + www for scheme in ("", "http://", "https://") for www in ("", "www.")]
    written = [ids.ID_BASE, "cgid:", "wd:"]
    written += [host + "ror.org/" for host in hosts]
    written += [host + "wikidata.org/" + path for host in hosts for path in ("entity/", "wiki/")]
    return sorted({acronym_key(text) for text in written})


@functools.lru_cache(maxsize=16384)
def _spellings(token: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The spellings a typed word may take for one word of a name (as written), with the forms of each.

    The spellings are the word in lower case and, for a Russian word, every inflected form of each of
    its dictionary readings (pymorphy3's lexemes); the forms are what the resolver compares each by.
    Only spellings whose forms are not just themselves are kept (``липецкого`` → ``липецкий``,
    ``universität`` → ``universitat``, ``straße`` → ``strasse``; not ``университет``).
    """
    found = {token.lower().replace("ё", "е"), *_words(token)}
    for word in _words(token):
        if _CYRILLIC.search(word):
            for parse in _morph().parse(word):
                found.update(w for form in parse.lexeme for w in _words(form.word))
    kept = []
    for spelling in sorted(found):
        read = _words(spelling)
        if len(read) == 1 and _forms(read[0]) != {spelling}:
            kept.append((spelling, _forms(read[0])))
    return tuple(kept)


def _tokens(text: str) -> list[str]:
    """The words of a name as the page keeps them: each one of the forms the resolver compares it by."""
    return [w if w in _forms(w) else min(_forms(w)) for w in _words(text)]


def _as_typed(text: str) -> list[str]:
    """The words of ``text`` as the page reads a query: NFKC, lower case, ``ё`` → ``е``, nothing else."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower().replace("ё", "е"))


def search_index(institutions: Iterable[Institution]) -> dict[str, object]:
    """What a page needs to find institutions as :class:`Resolver` does, without a normaliser of its own.

    The page (``coopgraph.render``) reads a query as words (NFKC, lower case, ``ё`` → ``е``) and looks
    each word up in ``forms``; a word no table knows it folds as the resolver does (Latin diacritics
    dropped). It matches an institution when the query is one of its acronyms or ids (compared as
    :func:`acronym_key`), or when its words match consecutive words of one of its names, each pair
    sharing a form (:func:`name_key`).

    Parameters
    ----------
    institutions : the institutions (or any named nodes) of the page, in its order

    Returns
    -------
    dict, ready for JSON
        ``entries``: one ``[names, keys]`` per institution. ``names``: every name and alias that is
        not an acronym, as ``[text, words]``: its words, each written as one of its forms, joined by
        spaces; or as the text alone when its words read as a query are those forms already.
        ``keys``: its acronyms and ids (the registry id or the IRI, the ROR ids, the Wikidata ids),
        each as ``[acronym key, text]``, or as the text alone when its words read as a query, joined,
        are the key already.
        ``forms``: form → the spellings that have it besides themselves, for every word of the names
        (``липецкий`` → ``липецкого``, ``липецкому``, …; ``universitat`` → ``universität``). It is the
        table spelling → forms inverted: the forms of a spelling are itself and every form whose list
        holds it; a spelling in no list is its own and only form.
        ``idPrefixes``: what may stand before an id (``cgid``, ``httpsrororg``, ``wd`` …), as acronym
        keys, for the page to drop from a query before it compares it with the ids.

    Examples
    --------
    >>> lstu = Institution(URIRef(ids.entity("lstu")), names=(("Липецкий Политех", "ru"), ("ЛГТУ", "ru"),
    ...                    ("Technische Universität Lipezk", "de")), ror=("https://ror.org/006fh5g40",))
    >>> index = search_index([lstu])
    >>> index["entries"]
    [[['Липецкий Политех', ['Technische Universität Lipezk', 'technische universitat lipezk']], ['ЛГТУ', 'lstu', '006fh5g40']]]
    >>> "липецкого" in index["forms"]["липецкий"], index["forms"]["universitat"]
    (True, ['universität'])
    """
    entries: list[list[list[object]]] = []
    forms: dict[str, set[str]] = {}
    seen: set[str] = set()  # words of names whose spellings are in ``forms``
    for inst in institutions:
        names: list[object] = []
        keys: dict[str, str] = {}
        written = list(dict.fromkeys(text for text, _ in inst.names))
        acronyms = [text for text in written if looks_like_acronym(text)]
        ror = [iri[len(_ROR_BASE):] for iri in inst.ror if iri.startswith(_ROR_BASE)]
        wikidata = [iri[len(_WIKIDATA_BASE):] for iri in inst.wikidata if iri.startswith(_WIKIDATA_BASE)]
        for text in [*inst.acronyms, *acronyms, inst.id, *ror, *wikidata]:
            keys.setdefault(acronym_key(text), text)
        for text in written:
            tokens = _tokens(text) if text not in acronyms else []
            if not tokens:
                continue
            names.append(text if tokens == _as_typed(text) else [text, " ".join(tokens)])
            for word in _WORD.findall(unicodedata.normalize("NFKC", text)):
                if word not in seen:
                    seen.add(word)
                    for spelling, its_forms in _spellings(word):
                        for form in its_forms - {spelling}:
                            forms.setdefault(form, set()).add(spelling)
        keys.pop("", None)
        entries.append([
            names,
            [text if key == "".join(_as_typed(text)) else [key, text] for key, text in keys.items()],
        ])
    return {
        "entries": entries,
        "forms": {form: sorted(spellings) for form, spellings in sorted(forms.items())},
        "idPrefixes": _id_prefixes(),
    }
