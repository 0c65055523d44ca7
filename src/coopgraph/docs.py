"""HTML documentation of the ontology: one self-contained page in English and Russian, with examples from the data.

Our own template rather than pyLODE: pyLODE 3.2 runs offline, but writes the labels of every language
run together ("visitвизит"), takes the concept schemes for ontology metadata, and has no place for the
authoring key of a term or for examples drawn from a dataset — the three things this page is for.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, PROV, SKOS

from coopgraph import __version__, export, resources
from coopgraph.namespaces import COOP, PREFIXES
from coopgraph.stores import Store

__all__ = ["ontology_html", "write_docs", "FILES"]

#: What :func:`write_docs` writes: the page, and the two files it links to.
FILES = ("index.html", "coop.ttl", "context.jsonld")

_VANN = "http://purl.org/vocab/vann/"
_PROPERTY_KINDS = (
    (OWL.ObjectProperty, "object property", "object-properties", "Object properties"),
    (OWL.DatatypeProperty, "datatype property", "datatype-properties", "Datatype properties"),
    (OWL.AnnotationProperty, "annotation property", "annotation-properties", "Annotation properties"),
)
#: Typed literals that Turtle writes bare when their form is canonical.
_SHORTHAND = {
    XSD.boolean: lambda text: text in ("true", "false"),
    XSD.integer: lambda text: text.lstrip("-").isdigit(),
}
#: At most this many properties of an example instance are shown.
EXAMPLE_LINES = 8
_CUT = 90


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _curie(iri: object) -> str:
    text = str(iri)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


def _anchor(iri: object) -> str:
    curie = _curie(iri)
    if curie.startswith("coop:"):
        return curie[5:]
    return curie.replace(":", "-").replace("/", "-").replace("#", "-")


class _Page:
    """The ontology, its authoring keys and the example data, with the lookups the page needs.

    ``own`` is the ontology as written; ``o`` is the same with each note on a term of another vocabulary
    (``coop:TermUse``) restated on the term, so that such a term's labels, kind and expected range are
    looked up like a coop: term's. ``notes`` maps each such term to its note.
    """

    def __init__(self, ontology: Graph, examples: Graph | None, context: dict[str, Any]) -> None:
        self.own = ontology
        self.o = resources.with_term_uses(ontology)
        self.examples = examples
        self.keys, self.reverse_keys = _keys(context["@context"])
        self.notes: dict[URIRef, URIRef] = {}
        for note in ontology.subjects(RDF.type, COOP.TermUse):
            term = ontology.value(note, COOP.term)
            if isinstance(note, URIRef) and isinstance(term, URIRef):
                self.notes[term] = note

        def own_terms(kind: URIRef) -> list[URIRef]:
            found = {t for t in self.o.subjects(RDF.type, kind) if isinstance(t, URIRef) and t not in self.notes}
            return sorted(found, key=_curie)

        self.classes = own_terms(OWL.Class)
        self.properties = {kind: own_terms(kind) for kind, *_ in _PROPERTY_KINDS}
        self.used = sorted(self.notes, key=_curie)
        self.datatypes = sorted({d for d in ontology.subjects(RDF.type, RDFS.Datatype) if isinstance(d, URIRef)}, key=_curie)
        self.schemes = sorted({s for s in ontology.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)}, key=_curie)
        self.documented = set(self.classes) | set(self.datatypes) | set(self.schemes) | set(self.used)
        for props in self.properties.values():
            self.documented |= set(props)
        concept_classes = [cls for cls in self.classes if (cls, RDFS.subClassOf, SKOS.Concept) in ontology]
        self.concepts = {c for cls in concept_classes for c in ontology.subjects(RDF.type, cls)}
        self.documented |= self.concepts

    # ---- text

    def text(self, subject: object, predicate: URIRef, language: str) -> str:
        values = [v for v in self.o.objects(subject, predicate) if isinstance(v, Literal) and v.language == language]  # type: ignore[arg-type]
        return "; ".join(sorted(str(v) for v in values))

    def label(self, subject: object, language: str = "en") -> str:
        return self.text(subject, RDFS.label, language) or self.text(subject, SKOS.prefLabel, language)

    def link(self, iri: object) -> str:
        """A link to the term's section on this page, or to the term's own IRI outside."""
        if isinstance(iri, BNode):
            members = self.union_of(iri)
            if members:
                return " or ".join(self.link(m) for m in members)
            return "(anonymous)"
        title = self.label(iri)
        hint = f' title="{_e(title)}"' if title else ""
        if iri in self.documented:
            return f'<a href="#{_e(_anchor(iri))}"{hint}><code>{_e(_curie(iri))}</code></a>'
        return f'<a class="ext" href="{_e(iri)}"{hint}><code>{_e(_curie(iri))}</code></a>'

    def links(self, iris: Iterable[object]) -> str:
        found = sorted(set(iris), key=_curie)
        return ", ".join(self.link(i) for i in found) if found else ""

    def union_of(self, node: object) -> list[object]:
        for union in self.o.objects(node, OWL.unionOf):  # type: ignore[arg-type]
            return list(Collection(self.o, union))
        for equivalent in self.o.objects(node, OWL.equivalentClass):  # type: ignore[arg-type]
            members = self.union_of(equivalent)
            if members:
                return members
        return []

    # ---- sections

    def term(self, iri: URIRef, kind: str, rows: list[tuple[str, str]], extra: str = "") -> str:
        en, ru = self.label(iri, "en"), self.label(iri, "ru")
        comment_en, comment_ru = self.text(iri, RDFS.comment, "en"), self.text(iri, RDFS.comment, "ru")
        key = self.keys.get(str(iri))
        head = [
            ("IRI", f"<code>{_e(iri)}</code>"),
            ("JSON-LD / YAML key", (f"<code>{_e(key)}</code>" if key else "—")
             + (f" · from the object's side: <code>{_e(self.reverse_keys[str(iri)])}</code>"
                if str(iri) in self.reverse_keys else "")),
        ]
        note = self.notes.get(iri)
        if note is not None:
            kind += " · used by coopgraph"
            vocabulary = self.links(self.own.objects(note, RDFS.seeAlso)) or self.link(iri)
            head.append(("defined by", f"{vocabulary} — used as its vocabulary defines it; coopgraph does not redefine it"))
            head.append(("coopgraph's note", f"<code>{_e(_curie(note))}</code>: the key, the labels and the values "
                         "expected in coopgraph's data are coopgraph's (checked by the shapes, never inferred from)"))
        body = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in head + [r for r in rows if r[1]])
        return (
            f'<section class="term" id="{_e(_anchor(iri))}">\n'
            f'<h3>{_e(_capital(en) or _curie(iri))} <span class="ru" lang="ru">{_e(_capital(ru))}</span> '
            f'<span class="kind">{_e(kind)}</span></h3>\n'
            f'<p class="def">{_e(comment_en)}</p>\n<p class="def ru" lang="ru">{_e(comment_ru)}</p>\n'
            f"<table class=\"facts\">{body}</table>\n{extra}</section>\n"
        )

    def given(self, cls: URIRef) -> list[URIRef]:
        """Terms of other vocabularies that coopgraph's data gives to instances of ``cls`` (expected domain)."""
        return [term for term, note in self.notes.items() if (note, COOP.expectedDomain, cls) in self.own]

    def class_section(self, cls: URIRef) -> str:
        o = self.o
        domain_of = [p for p in o.subjects(RDFS.domain, cls)]
        range_of = [p for p in o.subjects(RDFS.range, cls)]
        instances = sorted(self.concepts & set(o.subjects(RDF.type, cls)), key=_curie)
        rows = [
            ("subclass of", self.links(o.objects(cls, RDFS.subClassOf))),
            ("subclasses", self.links(s for s in o.subjects(RDFS.subClassOf, cls) if isinstance(s, URIRef))),
            ("equivalent to", self.links(o.objects(cls, OWL.equivalentClass))),
            ("properties (domain)", self.links(domain_of)),
            ("also given (used by coopgraph)", self.links(self.given(cls))),
            ("values of (range)", self.links(p for p in range_of if p not in self.notes)),
            ("values of (used by coopgraph)", self.links(p for p in range_of if p in self.notes)),
            ("instances", self.links(instances)),
        ]
        return self.term(cls, "class", rows, self.class_example(cls))

    def property_section(self, prop: URIRef, kind: str) -> str:
        o = self.o
        traits = []
        if (prop, RDF.type, OWL.FunctionalProperty) in o:
            traits.append("functional (at most one value)")
        note = self.notes.get(prop)
        if note is not None:
            domain = ("expected domain (coopgraph's data)", self.links(self.own.objects(note, COOP.expectedDomain)))
            range_ = ("expected range (coopgraph's data)", self.links(self.own.objects(note, COOP.expectedRange)))
        else:
            domain = ("domain", self.links(o.objects(prop, RDFS.domain)))
            range_ = ("range", self.links(o.objects(prop, RDFS.range)))
        rows = [
            domain,
            range_,
            ("subproperty of", self.links(o.objects(prop, RDFS.subPropertyOf))),
            ("subproperties", self.links(s for s in o.subjects(RDFS.subPropertyOf, prop) if isinstance(s, URIRef))),
            ("inverse of", self.links(list(o.objects(prop, OWL.inverseOf)) + list(o.subjects(OWL.inverseOf, prop)))),
            ("characteristics", _e(", ".join(traits))),
        ]
        return self.term(prop, kind, rows, self.property_example(prop))

    def datatype_section(self, datatype: URIRef) -> str:
        members = self.union_of(datatype)
        rows = [("one of", " or ".join(self.link(m) for m in members))]
        if not members:
            rows.append(("in OWL", " or ".join(self.link(e) for e in self.o.objects(datatype, OWL.equivalentClass))
                         + " (its forms are checked by the shapes, <code>ontology/shapes.ttl</code>)"))
        return self.term(datatype, "datatype", rows)

    def used_section(self, term: URIRef) -> str:
        """A term of another vocabulary, as coopgraph's note on it describes its use."""
        used_as = self.own.value(self.notes[term], COOP.usedAs)
        if used_as == OWL.Class:
            return self.class_section(term)
        kind = next((k[1] for k in _PROPERTY_KINDS if k[0] == used_as), "term")
        return self.property_section(term, kind)

    def scheme_section(self, scheme: URIRef) -> str:
        concepts = sorted(self.o.subjects(SKOS.inScheme, scheme), key=_curie)
        rows = []
        for concept in concepts:
            alt = "; ".join(sorted(str(a) for a in self.o.objects(concept, SKOS.altLabel)))
            broader = self.links(self.o.objects(concept, SKOS.broader))
            key = self.keys.get(str(concept), _curie(concept))
            rows.append(
                f'<tr id="{_e(_anchor(concept))}"><td class="key"><code>{_e(key)}</code></td>'
                f"<td>{_e(self.label(concept, 'en'))}</td><td lang=\"ru\">{_e(self.label(concept, 'ru'))}"
                + (f'<br><span class="alt">{_e(alt)}</span>' if alt else "")
                + f"</td><td>{_e(self.text(concept, RDFS.comment, 'en'))}"
                + f'<br><span class="ru" lang="ru">{_e(self.text(concept, RDFS.comment, "ru"))}</span></td>'
                + f"<td>{broader}</td></tr>\n"
            )
        table = (
            '<table class="concepts"><thead><tr><th>key</th><th>English</th><th>русский</th><th>definition</th>'
            f"<th>broader</th></tr></thead><tbody>\n{''.join(rows)}</tbody></table>\n"
        )
        classes = self.links({c for concept in concepts for c in self.o.objects(concept, RDF.type)})
        return (
            f'<section class="term" id="{_e(_anchor(scheme))}">\n<h3>{_e(_capital(self.label(scheme, "en")))} '
            f'<span class="ru" lang="ru">{_e(_capital(self.label(scheme, "ru")))}</span> '
            '<span class="kind">concept scheme</span></h3>\n'
            f"<p class=\"def\"><code>{_e(scheme)}</code> · concepts of {classes}; written in YAML by their key, "
            f"e.g. <code>{_e(self.keys.get(str(concepts[0]), '') if concepts else '')}</code>.</p>\n{table}</section>\n"
        )

    # ---- examples from the data

    def class_example(self, cls: URIRef) -> str:
        if self.examples is None:
            return ""
        instances = [s for s in self.examples.subjects(RDF.type, cls) if isinstance(s, URIRef)]
        if not instances:
            if self.concepts & set(self.o.subjects(RDF.type, cls)):
                return ""  # its instances are the ontology's own concepts, listed above
            return '<p class="example none">No instance in the data.</p>\n'

        def richness(s: URIRef) -> tuple[int, str]:
            return (-len(set(self.examples.predicates(s, None))), str(s))  # type: ignore[union-attr]

        subject = min(instances, key=richness)
        by_property: dict[URIRef, list[object]] = {}
        for p, o in self.examples.predicate_objects(subject):
            if p != RDF.type:
                by_property.setdefault(p, []).append(o)
        own = set(self.o.subjects(RDFS.domain, cls)) | set(self.given(cls))

        def order(p: URIRef) -> tuple[int, str]:  # names first, then the class's own properties, provenance last
            rank = 0 if p == SKOS.prefLabel else 1 if p in own else 3 if p == PROV.wasDerivedFrom else 2
            return (rank, _curie(p))

        properties = sorted(by_property, key=order)
        lines = [f"{_curie(subject)}", f"    a {_curie(cls)} ;"]
        for p in properties[: EXAMPLE_LINES - 1]:
            objects = sorted(by_property[p], key=lambda o: (getattr(o, "language", None) != "en", str(o)))
            shown = ", ".join(_turtle(o) for o in objects[:3]) + (f", … ({len(objects) - 3} more)" if len(objects) > 3 else "")
            lines.append(f"    {_curie(p)} {shown} ;")
        hidden = sum(len(by_property[p]) for p in properties[EXAMPLE_LINES - 1:])
        if hidden:
            lines.append(f"    # … {hidden} more statement{'s' if hidden != 1 else ''}")
        else:
            lines[-1] = lines[-1][:-1] + "."
        count = len(instances)
        return (
            f'<div class="example"><p>Example from the data (one of {count} instance{"s" if count != 1 else ""}):</p>'
            f"<pre>{_e(chr(10).join(lines))}</pre></div>\n"
        )

    def property_example(self, prop: URIRef) -> str:
        if self.examples is None:
            return ""
        found = sorted(self.examples.subject_objects(prop), key=lambda so: (str(so[0]), str(so[1])))
        if not found:
            return ""
        s, o = found[0]
        return (
            f'<div class="example"><p>Example from the data ({len(found)} statement{"s" if len(found) != 1 else ""}):'
            f"</p><pre>{_e(f'{_curie(s)} {_curie(prop)} {_turtle(o)} .')}</pre></div>\n"
        )


def _turtle(term: object) -> str:
    if isinstance(term, Literal) and term.datatype in _SHORTHAND and _SHORTHAND[term.datatype](str(term)):
        return str(term)
    if isinstance(term, Literal):
        text = str(term)
        if len(text) > _CUT:
            text = text[: _CUT - 1] + "…"
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None:
            return f'"{text}"^^{_curie(term.datatype)}'
        return f'"{text}"'
    if isinstance(term, BNode):
        return f"_:{term}"
    curie = _curie(term)
    return curie if curie != str(term) else f"<{term}>"


def _keys(context: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """IRI → its key in the authoring context, and IRI → the key that writes it from the object's side."""
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#"))}

    def expand(value: str) -> str:
        prefix, colon, rest = value.partition(":")
        return prefixes[prefix] + rest if colon and prefix in prefixes else value

    keys: dict[str, str] = {}
    reverse: dict[str, str] = {}
    for key, value in sorted(context.items()):
        if key.startswith("@") or key in prefixes:
            continue
        if isinstance(value, str) and not value.startswith("@"):
            keys.setdefault(expand(value), key)
        elif isinstance(value, dict) and "@id" in value:
            keys.setdefault(expand(value["@id"]), key)
        elif isinstance(value, dict) and "@reverse" in value:
            reverse.setdefault(expand(value["@reverse"]), key)
    return keys, reverse


def ontology_html(
    ontology: Graph | None = None,
    *,
    examples: Graph | None = None,
    context: dict[str, Any] | None = None,
) -> str:
    """The documentation of the ontology as one self-contained HTML page (no scripts, nothing fetched).

    Every class, property, datatype and concept scheme, with its English and Russian labels and
    definitions, its key in the YAML/JSON-LD authoring format, domains, ranges, super- and
    subclasses (alignments to ORG, FOAF, schema.org, PROV-O and SKOS link out), and an example
    drawn from ``examples``: a few statements of the instance that has the most properties.

    Parameters
    ----------
    ontology : the OWL ontology (default: ``ontology/coop.ttl``)
    examples : data to draw examples from (the union of a store's graphs: :meth:`Store.union`)
    context : the JSON-LD authoring context (default: ``ontology/context.jsonld``)

    Examples
    --------
    >>> page = ontology_html()
    >>> "визит" in page and 'id="Visit"' in page
    True
    """
    ontology = ontology if ontology is not None else resources.ontology()
    context = context if context is not None else resources.context()
    page = _Page(ontology, examples, context)
    return _document(page)


def _document(page: _Page) -> str:
    o = page.o
    onto = next(iter(sorted(o.subjects(RDF.type, OWL.Ontology))), None)
    title_en = page.label(onto, "en") if onto is not None else "ontology"
    title_ru = page.label(onto, "ru") if onto is not None else ""
    meta: list[tuple[str, str]] = []
    if onto is not None:
        def value(predicate: URIRef) -> str:
            return ", ".join(
                f'<a class="ext" href="{_e(v)}">{_e(v)}</a>' if isinstance(v, URIRef) else _e(v)
                for v in sorted(o.objects(onto, predicate), key=str)
            )

        meta = [
            ("IRI", f"<code>{_e(onto)}</code>"),
            ("version", value(OWL.versionInfo)),
            ("version IRI", value(OWL.versionIRI)),
            ("preferred prefix", value(URIRef(_VANN + "preferredNamespacePrefix"))),
            ("namespace", value(URIRef(_VANN + "preferredNamespaceUri"))),
            ("license", value(DCTERMS.license)),
            ("creator", value(DCTERMS.creator)),
            ("modified", value(DCTERMS.modified)),
            ("files", '<a href="coop.ttl">coop.ttl</a> (OWL, Turtle) · <a href="context.jsonld">context.jsonld</a> '
             "(the JSON-LD context of the YAML sources and of the JSON-LD dumps)"),
            ("changes", _change_notes(page, onto)),
        ]
    abstract_en = page.text(onto, RDFS.comment, "en") if onto is not None else ""
    abstract_ru = page.text(onto, RDFS.comment, "ru") if onto is not None else ""
    sections: list[tuple[str, str, list[URIRef], str]] = [("classes", "Classes", page.classes, "")]
    for kind, _, anchor, heading in _PROPERTY_KINDS:
        sections.append((anchor, heading, page.properties[kind], ""))
    sections.append(("datatypes", "Datatypes", page.datatypes, ""))
    sections.append(("schemes", "Concept schemes", page.schemes,
                     "Controlled values: a property whose range is one of these classes takes the concept's key."))
    sections.append(("used-terms", "Terms of other vocabularies", page.used,
                     "coopgraph uses these terms as their vocabularies define them, and does not redefine them: "
                     "ontology/coop.ttl states nothing about them. Each has a note (a coop:TermUse) with its key in the "
                     "YAML sources and JSON-LD dumps, the labels coopgraph shows for it, and the values coopgraph's data "
                     "gives it: expectations that the shapes check, not axioms a reasoner infers from."))
    nav = "".join(
        f'<div><h4><a href="#{anchor}">{_e(heading)}</a></h4><ul>'
        + "".join(f'<li><a href="#{_e(_anchor(t))}">{_e(_short(t))}</a></li>' for t in terms)
        + "</ul></div>"
        for anchor, heading, terms, _ in sections
    )
    body: list[str] = []
    for anchor, heading, terms, intro in sections:
        body.append(f'<h2 id="{anchor}">{_e(heading)}</h2>\n')
        if intro:
            body.append(f'<p class="hint">{_e(intro)}</p>\n')
        for term in terms:
            if anchor == "classes":
                body.append(page.class_section(term))
            elif anchor == "datatypes":
                body.append(page.datatype_section(term))
            elif anchor == "schemes":
                body.append(page.scheme_section(term))
            elif anchor == "used-terms":
                body.append(page.used_section(term))
            else:
                kind = next(k[1] for k in _PROPERTY_KINDS if k[2] == anchor)
                body.append(page.property_section(term, kind))
    body.append(_alignments(page))
    body.append(_namespaces())
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    return "".join([
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(policy)}">\n',
        '<meta name="referrer" content="no-referrer">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{_e(title_en)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n",
        f'<header><h1>{_e(title_en)}</h1><p class="ru big" lang="ru">{_e(title_ru)}</p>\n',
        f'<p>{_e(abstract_en)}</p><p class="ru" lang="ru">{_e(abstract_ru)}</p>\n',
        '<table class="facts">' + "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in meta if v) + "</table>\n",
        "<p class=\"hint\">Each term shows its English and Russian label and definition, its key in the YAML "
        "sources and the JSON-LD dumps, and an example from the shipped data. Terms of other vocabularies "
        "that coopgraph uses are listed apart, as notes on how coopgraph uses them (the key and labels coopgraph "
        "gives them, the values its data gives them), and link to their own definitions.</p></header>\n",
        f'<nav id="contents">{nav}<div><h4><a href="#alignments">Alignments</a></h4>'
        '<h4><a href="#namespaces">Namespaces</a></h4></div></nav>\n',
        "".join(body),
        f'<footer>Generated by coopgraph {_e(__version__)} from <code>ontology/coop.ttl</code>.</footer>\n',
        "</main>\n</body>\n</html>\n",
    ])


def _change_notes(page: _Page, onto: object) -> str:
    """The ontology's skos:changeNote, English first, then Russian."""
    notes = [n for n in page.o.objects(onto, SKOS.changeNote) if isinstance(n, Literal)]  # type: ignore[arg-type]
    return "".join(
        f'<p class="change{" ru" if language == "ru" else ""}" lang="{language}">{_e(note)}</p>'
        for language in ("en", "ru")
        for note in sorted(str(n) for n in notes if n.language == language)
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _short(term: URIRef) -> str:
    curie = _curie(term)
    return curie[5:] if curie.startswith("coop:") else curie


def _alignments(page: _Page) -> str:
    """Every link from a coop: term to a term of another vocabulary, in one table."""
    rows = []
    coop = PREFIXES["coop"]
    for predicate, relation in ((RDFS.subClassOf, "subclass of"), (RDFS.subPropertyOf, "subproperty of"),
                                (OWL.equivalentClass, "equivalent to"), (OWL.inverseOf, "inverse of")):
        for s, o in sorted(page.o.subject_objects(predicate), key=lambda so: (_curie(so[0]), _curie(so[1]))):
            if isinstance(s, URIRef) and isinstance(o, URIRef) and str(s).startswith(coop) and not str(o).startswith(coop):
                rows.append(f"<tr><td>{page.link(s)}</td><td>{_e(relation)}</td><td>{page.link(o)}</td></tr>\n")
    return (
        '<h2 id="alignments">Alignments</h2>\n<p class="hint">Where coopgraph\'s own terms fit standard vocabularies '
        "(ORG, FOAF, schema.org, PROV-O, SKOS, Dublin Core): data typed with a coop: class is typed with these too.</p>\n"
        '<table class="list"><thead><tr><th>coopgraph term</th><th>relation</th><th>standard term</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>\n"
    )


def _namespaces() -> str:
    rows = "".join(
        f"<tr><td><code>{_e(prefix)}:</code></td><td><code>{_e(namespace)}</code></td></tr>"
        for prefix, namespace in PREFIXES.items()
    )
    return (
        '<h2 id="namespaces">Namespaces</h2>\n<p class="hint"><code>cgid:</code> names entities (the id written in '
        "YAML), <code>cgraph:</code> the named graph of each source.</p>\n"
        f'<table class="list"><thead><tr><th>prefix</th><th>namespace</th></tr></thead><tbody>{rows}</tbody></table>\n'
    )


def write_docs(out: str | os.PathLike[str], *, store: Store | None = None) -> list[Path]:
    """Write ``index.html`` (the documentation), ``coop.ttl`` and ``context.jsonld`` into ``out``.

    The folder can be published as the ontology's namespace document. The files are written at once,
    or not at all.

    Parameters
    ----------
    out : the folder (created if missing)
    store : what to draw examples from (``None``: no examples)

    Raises
    ------
    SourceError
        for a source that cannot be read
    """
    examples = store.union() if store is not None else None
    page = ontology_html(examples=examples).encode("utf-8")
    context = (json.dumps(resources.context(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    files = {
        "index.html": lambda: page,
        "coop.ttl": lambda: resources.ontology_path("coop.ttl").read_bytes(),
        "context.jsonld": lambda: context,
    }
    return export.write_files(out, files)


_CSS = """
:root { color-scheme: light; --ink: #1d2733; --muted: #5b6875; --line: #dde3ea; --accent: #0a5d99; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
       color: var(--ink); background: #f5f7fa; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { margin: 0; font-size: 28px; }
h2 { margin: 36px 0 10px; font-size: 22px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { margin: 0 0 6px; font-size: 18px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
a.ext::after { content: " ↗"; font-size: 11px; color: var(--muted); }
.ru { color: #4b5560; }
.big { font-size: 19px; margin: 2px 0 10px; }
.hint { color: var(--muted); font-size: 13.5px; }
header, section.term { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px; margin: 14px 0; }
.kind { font-size: 12px; font-weight: 500; color: #fff; background: var(--accent); border-radius: 10px; padding: 2px 8px;
        vertical-align: middle; margin-left: 6px; }
h3 .ru { font-weight: 400; margin-left: 6px; }
p.def { margin: 2px 0; }
nav#contents { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 6px 18px;
               background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 14px 22px; font-size: 13.5px; }
nav h4 { margin: 4px 0; }
nav ul { margin: 0; padding-left: 16px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 5px 10px; border-bottom: 1px solid var(--line); }
table.facts th { width: 190px; color: var(--muted); font-weight: 500; }
thead th { color: var(--muted); font-weight: 600; background: #f8fafc; }
.alt { color: var(--muted); font-size: 13px; }
td.key code { white-space: nowrap; overflow-wrap: normal; }
code { font: 12.5px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.example p { margin: 10px 0 4px; color: var(--muted); font-size: 13px; }
.example.none { color: var(--muted); font-size: 13px; font-style: italic; }
pre { background: #f3f6f9; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; margin: 0;
      font: 12.5px/1.5 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
      white-space: pre-wrap; overflow-wrap: anywhere; }
footer { margin-top: 30px; color: var(--muted); font-size: 13px; }
p.change { margin: 0 0 6px; }
"""
