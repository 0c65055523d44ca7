"""Generate the Python namespace and the JSON-LD context from ``ontology/coop.ttl``.

Run ``python -m coopgraph.codegen`` after editing the ontology; a test fails when the generated
files drift from it.
"""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import OWL, RDF, RDFS, XSD, Graph, URIRef

from coopgraph import resources

__all__ = ["PREFIXES", "namespace_module", "jsonld_context", "main"]

#: The one map of prefixes coopgraph writes. schema.org uses http (as most published data does),
#: geo: is the W3C WGS84 vocabulary with http — rdflib's SDO and WGS differ on purpose.
PREFIXES: dict[str, str] = {
    "coop": "https://w3id.org/coopgraph/ns#",
    "cgid": "https://w3id.org/coopgraph/id/",
    "cgraph": "https://w3id.org/coopgraph/graph/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "http://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

COOP = PREFIXES["coop"]
_JSON_KEY = URIRef(COOP + "jsonKey")
_REVERSE_KEY = URIRef(COOP + "jsonReverseKey")
_JSON_TYPE = URIRef(COOP + "jsonType")
_TERM_USE = URIRef(COOP + "TermUse")
_PARTIAL_DATE = URIRef(COOP + "PartialDate")
_TIMESTAMP = URIRef(COOP + "Timestamp")
_LANG_STRING = RDF.langString
_DATATYPES = {_PARTIAL_DATE, _TIMESTAMP}
#: Terms that describe the ontology's terms (authoring keys, notes on other vocabularies' terms), not the
#: data: they have no key in the authoring format.
_ABOUT_TERMS = {_JSON_KEY, _REVERSE_KEY, _JSON_TYPE, _TERM_USE} | {
    URIRef(COOP + name) for name in ("term", "usedAs", "expectedDomain", "expectedRange")
}


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _own_terms(ontology: Graph) -> list[str]:
    """Local names of every IRI the ontology defines in the coop namespace (its notes on other terms aside)."""
    notes = set(ontology.subjects(RDF.type, _TERM_USE))
    names = {
        _local(str(s))
        for s in ontology.subjects()
        if isinstance(s, URIRef) and str(s).startswith(COOP) and str(s) != COOP and s not in notes
    }
    return sorted(names)


def namespace_module(ontology: Graph) -> str:
    """Return the source of ``namespaces.py`` for the given ontology graph."""
    lines = [
        '"""The coop: namespace, generated from ontology/coop.ttl by ``python -m coopgraph.codegen``.',
        "",
        "Do not edit: edit the ontology and regenerate. A misspelt term raises instead of minting an IRI.",
        '"""',
        "",
        "from rdflib import URIRef",
        "from rdflib.namespace import DefinedNamespace, Namespace",
        "",
        '__all__ = ["COOP", "PREFIXES"]',
        "",
        "",
        "class COOP(DefinedNamespace):",
        '    """Terms of the coopgraph ontology."""',
        "",
        "    _fail = True",
        f'    _NS = Namespace("{COOP}")',
        "",
    ]
    for name in _own_terms(ontology):
        lines.append(f"    {name}: URIRef")
    lines += ["", "", "PREFIXES: dict[str, str] = {"]
    for prefix, iri in PREFIXES.items():
        lines.append(f'    "{prefix}": "{iri}",')
    lines += ["}", ""]
    return "\n".join(lines)


def _curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and prefix not in ("cgid", "cgraph"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def jsonld_context(ontology: Graph) -> dict:
    """Return the JSON-LD context of the authoring format, one term per class, property and concept.

    The terms are coopgraph's own and those of other vocabularies that a ``coop:TermUse`` note gives a
    key (read through :func:`coopgraph.resources.with_term_uses`). Keys are a term's ``coop:jsonKey``
    or else its local name. Object properties take IRIs (``@type: @id``), or ontology terms
    (``@type: @vocab``) where their range is a concept class; language-tagged text is a language map;
    typed values take the ``coop:jsonType`` or XSD range of the term; dates are left to the reader,
    which types each value as xsd:date, xsd:gYearMonth, xsd:gYear or xsd:dateTime by its form.
    """
    ontology = resources.with_term_uses(ontology)
    terms: dict[str, object] = {}

    def key_of(s: URIRef) -> str:
        value = ontology.value(s, _JSON_KEY)
        return str(value) if value is not None else _local(str(s))

    def add(key: str, definition: object) -> None:
        if key in terms and terms[key] != definition:
            raise ValueError(f"two ontology terms want the JSON-LD key {key!r}")
        terms[key] = definition

    concept_classes = {
        c for c in ontology.subjects(RDFS.subClassOf, URIRef(PREFIXES["skos"] + "Concept"))
    }
    for cls in sorted(set(ontology.subjects(RDF.type, OWL.Class))):
        if isinstance(cls, URIRef) and cls not in _ABOUT_TERMS:
            add(key_of(cls), _curie(str(cls)))
    for cls in sorted(concept_classes):
        for individual in sorted(ontology.subjects(RDF.type, cls)):
            add(_local(str(individual)), _curie(str(individual)))
    prop_types = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    props = sorted({p for t in prop_types for p in ontology.subjects(RDF.type, t)})
    for prop in props:
        if not isinstance(prop, URIRef) or prop in _ABOUT_TERMS:
            continue
        rng = ontology.value(prop, _JSON_TYPE) or ontology.value(prop, RDFS.range)
        definition: dict[str, str] = {"@id": _curie(str(prop))}
        if rng == _LANG_STRING:
            definition["@container"] = "@language"
        elif rng in _DATATYPES or rng == XSD.string:
            pass  # dates are typed by the reader from the value's form; strings are plain literals
        elif rng is not None and str(rng).startswith(PREFIXES["xsd"]):
            definition["@type"] = _curie(str(rng))
        elif (prop, RDF.type, OWL.ObjectProperty) in ontology:
            definition["@type"] = "@vocab" if rng in concept_classes else "@id"
        add(key_of(prop), definition)
        reverse = ontology.value(prop, _REVERSE_KEY)
        if reverse is not None:
            add(str(reverse), {"@reverse": _curie(str(prop)), "@type": "@id"})
    context: dict[str, object] = {
        "@version": 1.1,
        "@base": PREFIXES["cgid"],
        "@vocab": COOP,
        "id": "@id",
        "type": "@type",
    }
    context.update({p: ns for p, ns in PREFIXES.items() if p not in ("cgid", "cgraph")})
    context.update(dict(sorted(terms.items())))
    return {"@context": context}


def main() -> None:
    """Write ``src/coopgraph/namespaces.py`` and ``ontology/context.jsonld`` from the ontology."""
    ontology = resources.ontology()
    package = Path(__file__).parent
    (package / "namespaces.py").write_text(namespace_module(ontology), encoding="utf-8")
    text = json.dumps(jsonld_context(ontology), ensure_ascii=False, indent=2) + "\n"
    resources.ontology_path("context.jsonld").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
