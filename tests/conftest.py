"""Shared fixtures: the shipped data built once per session, and paths to test data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
TESTDATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"

#: Eight ways to write Lipetsk State Technical University (issue 14): one resolver gives one answer to each,
#: on every path (tests/test_one_resolver.py; the graph page's search in tests/test_render.py).
LSTU_SPELLINGS = [
    "lstu",
    "cgid:lstu",
    "https://w3id.org/coopgraph/id/lstu",
    "https://ror.org/006fh5g40",
    "ЛГТУ",
    "LSTU",
    "«Липецкого Политеха»",
    "Lipetsk State Technical University",
]


@pytest.fixture(scope="session")
def shipped_build():
    """The shipped data built once (rules included); treat as read-only."""
    from coopgraph.build import build_dataset

    return build_dataset([DATA])


@pytest.fixture(scope="session")
def shipped_store(shipped_build):
    """The shipped data as a memory store (the build above); treat as read-only."""
    from coopgraph.stores import MemoryStore

    return MemoryStore(shipped_build.dataset)


def store_of(*data):
    """A memory store holding rdflib graphs or datasets: a dataset's named graphs as they are, each plain
    graph as a named graph of its own (``…/graph/test-N``). Nothing is derived: the data holds what the
    rules would derive (as the network fixture does), or ``store.load(...)`` derives it."""
    from rdflib import Dataset

    from coopgraph import ids
    from coopgraph.stores import MemoryStore

    dataset = Dataset()
    for n, item in enumerate(data):
        if isinstance(item, Dataset):
            for quad in item.quads((None, None, None, None)):
                dataset.add(quad)
        else:
            target = dataset.graph(ids.graph(f"test-{n}"))
            for triple in item:
                target.add(triple)
    return MemoryStore(dataset)


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target
