"""The synthetic generator: valid authoring files, the very statements the builder makes of them as
N-Quads, the same bytes for the same seed, flat IRIs, a power law of partners, and the command."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph import ids, synth
from coopgraph.build import build_dataset
from coopgraph.cli import main
from coopgraph.dataset import DERIVED_GRAPH, INDEX_GRAPH
from coopgraph.namespaces import COOP
from coopgraph.oxterms import to_rdflib as _ox_to_rdflib
from coopgraph.validate import validate


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("synth")
    return {fmt: synth.write(folder / fmt, triples=6000, seed=3, format=fmt).out for fmt in synth.FORMATS}


def _quads(path: Path) -> set[tuple]:
    fmt = ox.RdfFormat.N_QUADS if path.suffix == ".nq" else ox.RdfFormat.N_TRIPLES
    return {tuple(_ox_to_rdflib(t) for t in (q.subject, q.predicate, q.object, q.graph_name)) if fmt == ox.RdfFormat.N_QUADS
            else tuple(_ox_to_rdflib(t) for t in (q.subject, q.predicate, q.object))
            for q in ox.parse(path=path, format=fmt)}


def test_the_yaml_is_valid_and_builds_to_the_very_statements_of_the_nquads(written):
    build = build_dataset([written["yaml"]])
    assert validate(build) == []
    built = {(s, p, o, g.identifier if hasattr(g, "identifier") else g)
             for s, p, o, g in build.dataset.quads((None, None, None, None)) if g not in (DERIVED_GRAPH, INDEX_GRAPH)}
    assert built == _quads(written["nq"] / "synth.nq")
    assert len(build.dataset.graph(DERIVED_GRAPH)) > 100  # the rules find cooperation in it


def test_nt_holds_the_statements_of_nq_without_graphs(written):
    assert {q[:3] for q in _quads(written["nq"] / "synth.nq")} == _quads(written["nt"] / "synth.nt")


def test_size_and_files(written):
    lines = (written["nq"] / "synth.nq").read_text(encoding="utf-8").splitlines()
    assert 6000 <= len(lines) < 6300  # the last document is written whole
    assert len(set(lines)) == len(lines)  # each statement once
    yaml_files = sorted(p.relative_to(written["yaml"]).as_posix() for p in written["yaml"].rglob("*.yaml"))
    assert yaml_files[:3] == ["registry/institutions.yaml", "registry/places.yaml", "registry/topics.yaml"]
    assert len({line.rsplit(" ", 2)[-2] for line in lines}) == len(yaml_files)  # one named graph per file


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_data(tmp_path, written):
    again = synth.write(tmp_path / "again", triples=6000, seed=3, format="nq").files[0]
    assert again.read_bytes() == (written["nq"] / "synth.nq").read_bytes()
    synth.write(tmp_path / "yaml", triples=6000, seed=3, format="yaml")
    assert all((tmp_path / "yaml" / p.relative_to(written["yaml"])).read_bytes() == p.read_bytes()
               for p in written["yaml"].rglob("*.yaml"))
    other = synth.write(tmp_path / "other", triples=6000, seed=4, format="nq").files[0]
    assert other.read_bytes() != again.read_bytes()


def test_iris_are_flat(written):
    entities = {t for q in _quads(written["nq"] / "synth.nq") for t in q[:3:2] if ids.is_entity(t)}
    assert entities and all("/" not in ids.local_id(e) and ids.REFERENCE_PATTERN.match(ids.local_id(e)) for e in entities)


def test_partners_follow_a_power_law(tmp_path):
    path = synth.write(tmp_path, triples=60_000, seed=1, format="nq").files[0]
    store = ox.Store()
    store.load(path=path, format=ox.RdfFormat.N_QUADS)
    partners: Counter[str] = Counter()
    query = f"SELECT DISTINCT ?a ?b WHERE {{ ?v <{COOP.visitor}> ?a ; <{COOP.host}> ?b }}"
    for row in store.query(query, use_default_graph_as_union=True):
        partners[row["a"].value] += 1
        partners[row["b"].value] += 1
    degrees = sorted(partners.values(), reverse=True)
    assert degrees[0] >= 8 * statistics.median(degrees)  # hubs, and a long tail
    assert sum(degrees[: len(degrees) // 10]) >= 0.3 * sum(degrees)


def test_synth_command(tmp_path, capsys):
    assert main(["synth", "--triples", "2500", "--seed", "9", "--format", "nq", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("wrote ") and f"named graphs to {tmp_path / 'synth.nq'} (nq, " in out
    assert main(["synth", "--triples", "0", "-o", str(tmp_path)]) == 1
    assert "--triples must be 1 or more" in capsys.readouterr().err
