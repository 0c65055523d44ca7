"""A large line-based file loaded in parts side by side gives the store one load would give."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph import bulkload, synth

NQ = ox.RdfFormat.N_QUADS


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bulk")
    synth.write(folder, triples=10_000, seed=3, format="nq")
    (path,) = folder.glob("*.nq")
    return path


def _load(path: Path, folder: Path, **options) -> ox.Store:
    store = ox.Store(str(folder / "store"))
    bulkload.bulk_load(store, path, NQ, to_graph=None, parts_dir=folder / "parts", **options)
    return store


def _quads(store: ox.Store) -> list[str]:
    return sorted(str(quad) for quad in store)


@pytest.mark.parametrize("workers", [2, 3])
def test_parts_load_the_same_quads_as_one_load(synthetic, tmp_path, workers):
    one = ox.Store()
    one.bulk_load(path=str(synthetic), format=NQ)
    parts = _load(synthetic, tmp_path, workers=workers, split_from=0)
    assert len(parts) == len(one) > 9_000
    assert _quads(parts) == _quads(one)
    assert not (tmp_path / "parts").exists()


def test_a_file_with_a_blank_node_stays_one_load(synthetic, tmp_path):
    lines = synthetic.read_bytes().splitlines(keepends=True)
    blank = b'_:someone <http://schema.org/name> "x" <https://w3id.org/coopgraph/graph/g> .\n'
    again = b'_:someone <http://schema.org/email> "y" <https://w3id.org/coopgraph/graph/g> .\n'
    path = tmp_path / "blank.nq"
    path.write_bytes(blank + b"".join(lines) + again)
    store = _load(path, tmp_path, workers=2, split_from=0)
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, ox.NamedNode("https://w3id.org/coopgraph/graph/g"))}
    assert len(subjects) == 1 and isinstance(next(iter(subjects)), ox.BlankNode)
    assert len(store) == len(lines) + 2


def test_a_syntax_error_in_a_later_part_names_the_line_of_the_file(synthetic, tmp_path):
    lines = synthetic.read_bytes().splitlines(keepends=True)
    broken_at = len(lines) * 3 // 4  # in the second of two parts
    lines[broken_at] = b"<https://w3id.org/coopgraph/id/x> <http://schema.org/name> \"unclosed .\n"
    path = tmp_path / "broken.nq"
    path.write_bytes(b"".join(lines))
    with pytest.raises(SyntaxError) as one:
        ox.Store().bulk_load(path=str(path), format=NQ)
    with pytest.raises(SyntaxError) as parts:
        _load(path, tmp_path, workers=2, split_from=0)
    assert str(parts.value) == str(one.value)
    assert f"line {broken_at + 1} " in str(parts.value)  # the file's line, not the part's
    assert not (tmp_path / "parts").exists()


def test_small_files_and_turtle_are_not_cut(tmp_path, monkeypatch):
    def cut(*args):
        raise AssertionError("cut into parts")

    monkeypatch.setattr(bulkload, "_cut", cut)
    small = tmp_path / "small.nq"
    small.write_text('<https://e/s> <https://e/p> "1" <https://e/g> .\n', encoding="utf-8")
    turtle = tmp_path / "big.ttl"
    turtle.write_text("@prefix e: <https://e/> .\n" + "".join(f'e:s{i} e:p "{i}" .\n' for i in range(100)), encoding="utf-8")
    store = _load(small, tmp_path, workers=2)  # below SPLIT_FROM
    assert len(store) == 1
    store = ox.Store()
    bulkload.bulk_load(store, turtle, ox.RdfFormat.TURTLE, to_graph=None, parts_dir=tmp_path / "parts", workers=2,
                       split_from=0)  # any size: Turtle is never cut
    assert len(store) == 100 and not (tmp_path / "parts").exists()


@pytest.mark.parametrize("workers", [2, 3])
def test_triples_in_memory_load_in_parts_as_in_one(workers):
    lines = [f'<https://example.org/s{i}> <https://example.org/p> "value {i} \\u00e9"@en .\n' for i in range(120_000)]
    data = "".join(lines).encode("utf-8")
    assert len(data) > 8 * 1024 * 1024  # big enough to be cut
    graph = ox.NamedNode("https://example.org/g")
    whole, parts = ox.Store(), ox.Store()
    whole.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    bulkload.bulk_load_bytes(parts, data, to_graph=graph, workers=workers)
    assert len(parts) == len(whole) == 120_000
    assert set(parts) == set(whole)


def test_triples_in_memory_with_a_blank_node_load_in_one_piece():
    data = ("".join(f"<https://example.org/s{i}> <https://example.org/p> _:b .\n" for i in range(200_000))).encode()
    store = ox.Store()
    bulkload.bulk_load_bytes(store, data, to_graph=ox.NamedNode("https://example.org/g"), workers=3)
    assert len({q.object for q in store}) == 1  # one blank node, not one per part
