"""Check third-party RDF about institutions before trusting it: each defect as a warning with file and line.

RDF that parses can still be wrong. :func:`check_rdf` reports

- literals whose language tag is not a BCP 47 tag (``"USTL"@None``);
- identifier IRIs that are not valid ROR, GRID, ISNI, Wikidata or GeoNames forms (a ROR id with a wrong
  checksum, a GRID link cut to ``https://grid.ac/institutions/g``);
- ``owl:sameAs`` / ``schema:sameAs`` to pages that are not identifiers (a Wikipedia article is about the
  institution, it is not the institution; an API URL is not an id);
- ``https://schema.org/`` terms, which do not join coopgraph's ``http://schema.org/`` ones;
- against the registry, when given: records that are not in it, withdrawn records, and what the file
  leaves out or contradicts (a Wikidata id, names in a language the registry has, the homepage).

rdflib gives no line per triple, so lines come from a scan of the file's text for the offending token
(exact for Turtle and N-Triples written one statement a line; the first occurrence otherwise).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import OWL, RDF, SKOS, Graph, Literal, URIRef
from rdflib.namespace import FOAF

from coopgraph.errors import SourceError
from coopgraph.resolve import Institution, Resolver
from coopgraph.sources.rdf import read_rdf
from coopgraph.sources.registry import ImportWarning
from coopgraph.sources.ror import (
    ROR_BASE,
    WIKIDATA_BASE,
    is_grid,
    isni,
    ror_id,
)
from coopgraph.sources.text import read_text
from coopgraph.sources.yamlld import LANGUAGES

__all__ = ["check_rdf", "check_rdf_files"]

_LITERAL_WITH_TAG = re.compile(r'"(?P<text>(?:[^"\\\n]|\\.)*)"@(?P<tag>[A-Za-z0-9-]+)')
_BCP47 = re.compile(r"^(?P<primary>[a-z]{2,3})(-[a-z]{4})?(-([a-z]{2}|\d{3}))?(-[a-z0-9]{5,8}|-\d[a-z0-9]{3})*$", re.I)
_SAME_AS = {
    OWL.sameAs,
    URIRef("http://schema.org/sameAs"),
    URIRef("https://schema.org/sameAs"),
}
_HOMEPAGE = {
    FOAF.homepage,
    URIRef("http://schema.org/url"),
    URIRef("https://schema.org/url"),
    URIRef("http://schema.org/mainEntityOfPage"),
    URIRef("https://schema.org/mainEntityOfPage"),
}
_LABELS = {
    SKOS.prefLabel,
    SKOS.altLabel,
    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    URIRef("http://schema.org/name"),
    URIRef("https://schema.org/name"),
}
#: Identifier schemes accepted as the object of a sameAs: pattern → (name, check of the id, or None).
_SCHEMES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^https?://ror\.org/(?P<id>[^/]*)/?$"), "ror"),
    (re.compile(r"^https?://grid\.ac/institutions/(?P<id>[^/]*)/?$"), "grid"),
    (re.compile(r"^https?://isni\.org/isni/(?P<id>[^/]*)/?$"), "isni"),
    (re.compile(r"^https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/(?P<id>[^/]*)$"), "wikidata"),
    (re.compile(r"^https?://sws\.geonames\.org/(?P<id>[^/]*)/?$"), "geonames"),
    (re.compile(r"^https?://(?:dx\.)?doi\.org/(?P<id>10\.13039/.+)$"), "funder"),
    (re.compile(r"^https?://viaf\.org/viaf/(?P<id>\d+)/?$"), "viaf"),
    (re.compile(r"^https?://d-nb\.info/gnd/(?P<id>[0-9X-]+)/?$"), "gnd"),
    (re.compile(r"^https?://id\.loc\.gov/authorities/names/(?P<id>[a-z0-9]+)$"), "loc"),
]


def _valid(scheme: str, value: str) -> bool:
    if scheme == "ror":
        return ror_id(value) is not None and ror_id(value) == value.lower()
    if scheme == "grid":
        return is_grid(value)
    if scheme == "isni":
        return isni(value) is not None
    if scheme == "wikidata":
        return re.fullmatch(r"Q[1-9]\d*", value) is not None
    if scheme == "geonames":
        return re.fullmatch(r"[1-9]\d*", value) is not None
    return True


_FORMS = {
    "ror": "a ROR id is 0, six base-32 characters and a two-digit checksum (https://ror.org/03awzbc87)",
    "grid": "a GRID id is grid.NNNNNN.x (https://grid.ac/institutions/grid.412252.2)",
    "isni": "an ISNI is 16 characters with an ISO 7064 check character (http://isni.org/isni/0000000403686968)",
    "wikidata": "a Wikidata item is Q and digits (http://www.wikidata.org/entity/Q1363559)",
    "geonames": "a GeoNames feature is digits (https://sws.geonames.org/2034937/)",
}


class _Lines:
    """Where tokens occur in the file's text, outside comment lines.

    IRIs written in full (``<iri>`` in Turtle, ``"iri"`` in JSON-LD and RDF/XML) are found in an index
    made in one pass; anything else by a search of the text, at most :data:`SEARCHES` times a file, so
    that a file with a hundred thousand defects is checked in seconds (its later ones without a line).
    """

    SEARCHES = 200

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines()
        self.starts = [0]
        for line in text.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.searches = 0
        self.first: dict[str, int] = {}
        for match in re.finditer(r'<[^<>"\s]*>|"[^"\\\n]*"', text):
            if match.group() not in self.first:
                number = self.number(match.start())
                if not self.comment(number):
                    self.first[match.group()] = number

    def number(self, index: int) -> int:
        return bisect.bisect_right(self.starts, index)

    def comment(self, number: int) -> bool:
        return number <= len(self.lines) and self.lines[number - 1].lstrip().startswith("#")

    def of(self, *tokens: str) -> int | None:
        for token in tokens:
            found = self.first.get(token) or self.first.get(f'"{token}"') or self.search(token)
            if found:
                return found
        return None

    def search(self, token: str) -> int | None:
        self.searches += 1
        if self.searches > self.SEARCHES:
            return None
        at = self.text.find(token)
        while at >= 0:
            number = self.number(at)
            if not self.comment(number):
                return number
            at = self.text.find(token, self.starts[number] if number < len(self.starts) else len(self.text))
        return None


def check_rdf(
    path: str | Path,
    *,
    registry: Graph | None = None,
    max_bytes: int | None = None,
) -> list[ImportWarning]:
    """Check one RDF file about institutions; return its defects (empty when none was found).

    The file is not trusted: it is read as :func:`~coopgraph.sources.rdf.read_rdf` reads any RDF
    source, with no network, and with limits on size, nesting and XML entities.

    Parameters
    ----------
    path : a Turtle, N-Triples, JSON-LD or RDF/XML file
    registry : the institutions registry as RDF (and its places), to compare the file against
    max_bytes : the largest file read (default: 16 MiB, or ``COOPGRAPH_MAX_RDF_SIZE``)

    Raises
    ------
    SourceError
        when the file does not parse (with the parser's line), or is refused by those limits
    """
    path = Path(path)
    read = read_rdf(path, max_bytes=max_bytes)
    graph = read.graph
    text = read_text(path)
    where = _Lines(text)
    out: list[ImportWarning] = []

    def warn(line: int | None, message: str) -> None:
        out.append(ImportWarning(str(path), line, message))

    # language tags, from the text (rdflib keeps '@None' as it is, and gives no line)
    tagged_in_text = False
    for number, line in enumerate(where.lines, start=1):
        if line.lstrip().startswith("#"):
            continue
        for match in _LITERAL_WITH_TAG.finditer(line):
            tagged_in_text = True
            tag = match.group("tag")
            if not _language_ok(tag):
                warn(number, f"\"{match.group('text')}\"@{tag}: '{tag}' is not a language tag (BCP 47: a language "
                     f"code such as en, ru, zh, zh-Hans) — the name's language is unknown: drop the tag or give the real one")
    if not tagged_in_text:
        for literal in sorted({o for o in graph.objects() if isinstance(o, Literal) and o.language}):
            if not _language_ok(literal.language or ""):
                warn(None, f"\"{literal}\"@{literal.language}: '{literal.language}' is not a language tag (BCP 47)")

    # identifier IRIs anywhere, and what sameAs points to
    terms = sorted({t for triple in graph for t in triple if isinstance(t, URIRef)})
    for iri in terms:
        for pattern, scheme in _SCHEMES:
            match = pattern.match(str(iri))
            if match and not _valid(scheme, match.group("id")):
                warn(where.of(f"<{iri}>", str(iri)), f"<{iri}> is not a valid {scheme.upper()} identifier — {_FORMS[scheme]}")
    for _, p, o in sorted(graph.triples((None, None, None))):
        if p not in _SAME_AS or not isinstance(o, URIRef):
            continue
        if any(pattern.match(str(o)) for pattern, _ in _SCHEMES):
            continue
        line = where.of(f"<{o}>", str(o))
        if re.match(r"^https?://[a-z-]+\.(?:m\.)?wikipedia\.org/", str(o)):
            advice = "a Wikipedia article is about the institution, not the institution — link its Wikidata item instead"
        elif m := re.match(r"^https?://api\.crossref\.org/funders/(\d+)", str(o)):
            advice = f"an API URL is not an identifier — the Funder Registry id is https://doi.org/10.13039/{m.group(1)}"
        else:
            advice = "not an identifier IRI (ROR, Wikidata, GRID, ISNI, GeoNames...) — use rdfs:seeAlso for web pages"
        warn(line, f"{_curie(p)} <{o}>: {advice}")

    if any(str(p).startswith("https://schema.org/") for p in graph.predicates()) or any(
        str(o).startswith("https://schema.org/") for o in graph.objects(None, RDF.type)
    ):
        warn(where.of("<https://schema.org/>", "https://schema.org/"),
             "uses https://schema.org/ — coopgraph (and most published data) use http://schema.org/, so these terms "
             "will not join ours; rewrite the namespace before loading")

    if registry is not None:
        out += _against_registry(path, graph, registry, where)
    return sorted(out, key=lambda w: (w.line or 0, w.message))


def _language_ok(tag: str) -> bool:
    match = _BCP47.match(tag)
    if not match:
        return False
    primary = match.group("primary").lower()
    return len(primary) == 3 or primary in LANGUAGES


def _curie(iri: URIRef) -> str:
    text = str(iri)
    for prefix, ns in (("owl:", str(OWL)), ("schema:", "http://schema.org/"), ("schema:", "https://schema.org/")):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return f"<{text}>"


def _against_registry(path: Path, graph: Graph, registry: Graph, where: _Lines) -> list[ImportWarning]:
    resolver = Resolver.from_graph(registry)
    out: list[ImportWarning] = []
    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(ROR_BASE)})
    for subject in subjects:
        line = where.of(f"<{subject}>", str(subject))
        short = str(subject)[len(ROR_BASE):]
        found = resolver.candidates(str(subject))
        if not found:
            out.append(ImportWarning(str(path), line, f"ROR {short} is not in the institutions registry — nothing in "
                                     "this file is used until its ROR record is imported (coopgraph import ror)"))
            continue
        inst: Institution = found[0]
        if inst.ror and inst.ror[0] != str(subject):
            out.append(ImportWarning(str(path), line, f"ROR {short} is a withdrawn duplicate record: the institution is "
                                     f"'{inst.id}' ({inst.ror[0]}) — statements about {short} are about it"))
        same = {str(o) for p in _SAME_AS for o in graph.objects(subject, p)}
        for q in inst.wikidata:
            if q not in same:
                out.append(ImportWarning(str(path), line, f"ROR {short}: no Wikidata id (the registry has "
                                         f"{q[len(WIKIDATA_BASE):]} for '{inst.id}')"))
        labels = [o for p in _LABELS for o in graph.objects(subject, p) if isinstance(o, Literal)]
        languages = {(o.language or "").lower() for o in labels}
        texts = {str(o).casefold() for o in labels}
        missing = [(text, lang) for text, lang in inst.preferred
                   if lang and lang.lower() not in languages and text.casefold() not in texts]
        if missing:
            out.append(ImportWarning(
                str(path), line,
                f"ROR {short}: no name in {', '.join(lang for _, lang in missing)}, which the registry has for "
                f"'{inst.id}' ({'; '.join(text for text, _ in missing)}) — the file is incomplete",
            ))
        homepages = {str(o) for o in registry.objects(inst.iri, FOAF.homepage)}
        if homepages:
            ours = {_site(h) for h in homepages}
            for p in _HOMEPAGE:
                for page in graph.objects(subject, p):
                    if isinstance(page, URIRef) and _site(str(page)) not in ours:
                        out.append(ImportWarning(
                            str(path), where.of(f"<{page}>", str(page)),
                            f"ROR {short}: {_curie(p)} <{page}> is not the site the registry gives for "
                            f"'{inst.id}' ({', '.join(sorted(homepages))}) — check which institution it belongs to",
                        ))
    return out


def _site(url: str) -> str:
    return re.sub(r"^(https?://)?(www\.)?", "", url.lower()).split("/", 1)[0]


def check_rdf_files(
    paths: Iterable[str | Path], *, registry: Graph | None = None, max_bytes: int | None = None
) -> list[ImportWarning]:
    """Check every RDF file under ``paths`` (folders: ``*.ttl``, ``*.nt``, ``*.jsonld``, ``*.rdf``), as :func:`check_rdf`."""
    out: list[ImportWarning] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".ttl", ".nt", ".jsonld", ".rdf"))
        elif path.exists():
            files = [path]
        else:
            raise SourceError(path, None, "no such file or folder — check the path")
        for file in files:
            out += check_rdf(file, registry=registry, max_bytes=max_bytes)
    return out
