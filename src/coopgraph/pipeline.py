"""The main job, end to end: sources → dataset → validation → output files, and its summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS

from coopgraph import export, ids, network, publish, render, timeline
from coopgraph.build import Build, build_dataset, union
from coopgraph.errors import ValidationError
from coopgraph.namespaces import PREFIXES
from coopgraph.validate import Problem, validate

__all__ = ["Summary", "check", "build", "OUTPUTS"]

#: Files the main job writes, name → function of the build returning bytes.
OUTPUTS: dict[str, Callable[[Build], bytes]] = {
    "coop.ttl": lambda b: export.turtle(b.dataset),
    "coop.trig": lambda b: export.trig(b.dataset),
    "graph.html": lambda b: render.html_document(
        network.institution_network(union(b.dataset)), title="coopgraph: institution network"
    ).encode("utf-8"),
    "timeline.png": lambda b: timeline.render(b.dataset, format="png"),
    "timeline.svg": lambda b: timeline.render(b.dataset, format="svg"),
    "coop.jsonld": lambda b: export.jsonld(b.dataset),
    "void.ttl": lambda b: publish.void_turtle(b.dataset),
    "report.html": lambda b: publish.report_html(b.dataset).encode("utf-8"),
}


@dataclass
class Summary:
    """What a build holds: triples, entities per class, sources, problems, files written."""

    triples: int
    classes: dict[str, int]
    sources: list[tuple[str, str, int]]  # (graph id, title or file, triples)
    problems: list[Problem] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The summary as the lines ``coopgraph build`` prints."""
        out = [f"{self.triples} triples in {len(self.sources)} named graphs"]
        out.append("sources:")
        out += [f"  {graph:<32} {count:>5} triples  {title}" for graph, title, count in self.sources]
        out.append("entities per class:")
        out += [f"  {name:<28} {count:>5}" for name, count in self.classes.items()]
        verdict = "valid (SHACL shapes and references)" if not self.problems else f"{len(self.problems)} problems"
        out.append(f"validation: {verdict}")
        out += [f"wrote {path}" for path in self.written]
        return out


def _summarise(build: Build, problems: list[Problem]) -> Summary:
    coop = PREFIXES["coop"]
    classes: Counter[str] = Counter()
    triples = 0
    sources = []
    for graph in sorted(build.dataset.graphs(), key=lambda g: str(g.identifier)):
        if not len(graph):
            continue
        triples += len(graph)
        for _, cls in graph.subject_objects(RDF.type):
            if str(cls).startswith(coop):
                classes["coop:" + str(cls)[len(coop):]] += 1
            elif str(cls) in (PREFIXES["foaf"] + "Person", PREFIXES["org"] + "Membership", PREFIXES["skos"] + "Concept"):
                prefix = next(p for p, ns in PREFIXES.items() if str(cls).startswith(ns))
                classes[f"{prefix}:{str(cls).rsplit('/', 1)[-1].rsplit('#', 1)[-1]}"] += 1
        local = str(graph.identifier)[len(ids.GRAPH_BASE):]
        titles = sorted(graph.objects(ids.entity(local), DCTERMS.title), key=lambda t: (t.language != "en", str(t)))
        title = str(titles[0]) if titles else _file_of(graph.identifier, build)
        sources.append((local, title, len(graph)))
    return Summary(triples=triples, classes=dict(sorted(classes.items())), sources=sources, problems=problems)


def _file_of(graph_iri: URIRef, build: Build) -> str:
    for read in build.sources:
        if ids.graph(read.source_id) == graph_iri:
            return read.path.name
    return "derived by queries/rules"


def check(paths: Iterable[str | Path]) -> Summary:
    """Build and validate the sources under ``paths`` without writing anything.

    Raises
    ------
    SourceError
        for a file that cannot be read
    ValidationError
        when the data does not conform (every problem as ``path:line: message``)
    """
    build = build_dataset(paths)
    problems = validate(build)
    if problems:
        raise ValidationError([str(p) for p in problems])
    return _summarise(build, problems)


def build(paths: Iterable[str | Path], *, out: str | Path = "out") -> Summary:
    """The main job: build, validate, then write every output into ``out`` at once.

    Nothing is written unless the data reads and validates; files are replaced atomically.

    Raises
    ------
    SourceError, ValidationError
        as :func:`check`; the output folder is then left as it was
    """
    dataset_build = build_dataset(paths)
    problems = validate(dataset_build)
    if problems:
        raise ValidationError([str(p) for p in problems])
    summary = _summarise(dataset_build, problems)
    renders = {name: (lambda render=render: render(dataset_build)) for name, render in OUTPUTS.items()}
    summary.written = export.write_files(out, renders)
    return summary
