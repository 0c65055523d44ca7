"""A store folder has one user at a time: a second process is refused before it touches anything
(issue 16, items 1 and 2: a second load, query or server used to delete a running load's staging
folders in its recovery step; a load into a folder being served went through)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from conftest import DATA

HOLD = """
import sys, time
from coopgraph.stores import open_store
store = open_store(sys.argv[1])
print("ready", flush=True)
time.sleep(60)
"""


def _coopgraph(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coopgraph", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture()
def loaded(tmp_path):
    folder = tmp_path / "store"
    done = _coopgraph("load", str(DATA), "--store", f"oxigraph:{folder}")
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture()
def held(loaded):
    """Another process using the store, in the middle of a load: its staging folder is there."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, f"oxigraph:{loaded}"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    staging = loaded.parent / f".{loaded.name}.staging"
    staging.mkdir()
    (staging / "000001.sst").write_text("a part of the running load")
    yield loaded, staging
    holder.kill()
    holder.wait()


@pytest.mark.parametrize("command", [
    ["load", str(DATA)],
    ["query", "partners", "--param", "institution=lstu"],
    ["build", str(DATA), "-o", "OUT"],
])
def test_a_second_process_is_refused_and_leaves_the_running_load_alone(held, tmp_path, command):
    folder, staging = held
    args = [a.replace("OUT", str(tmp_path / "out")) for a in command]
    done = _coopgraph(*args, "--store", f"oxigraph:{folder}")
    assert done.returncode == 1
    assert "is in use by another process" in done.stderr and "Traceback" not in done.stderr
    assert (staging / "000001.sst").read_text() == "a part of the running load"  # not cleaned up under the load


def test_serving_refuses_a_folder_in_use(held):
    from coopgraph.errors import StoreError
    from coopgraph.server import start_server

    folder, _ = held
    with pytest.raises(StoreError, match="in use by another process"):
        start_server(store=f"oxigraph:{folder}", port=0, workers=1)


def test_a_load_into_a_folder_being_served_is_refused(loaded, tmp_path):
    from coopgraph.server import start_server
    from coopgraph.stores import open_store

    extra = tmp_path / "extra.nq"
    extra.write_text('<https://w3id.org/coopgraph/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" '
                     '<https://w3id.org/coopgraph/graph/extra> .\n', encoding="utf-8")
    with start_server(store=f"oxigraph:{loaded}", port=0, workers=1):
        done = _coopgraph("load", str(extra), "--store", f"oxigraph:{loaded}")
        assert done.returncode == 1
        assert "is being served" in done.stderr and "Traceback" not in done.stderr
    time.sleep(0.2)
    done = _coopgraph("load", str(extra), "--store", f"oxigraph:{loaded}")  # the server stopped: now it may
    assert done.returncode == 0, done.stderr
    with open_store(f"oxigraph:{loaded}") as store:
        assert any(str(g).endswith("/graph/extra") for g in store.graphs())


def test_the_lock_goes_with_the_store(loaded):
    from coopgraph.stores import open_store

    with open_store(f"oxigraph:{loaded}") as store:
        triples = len(store)
    assert triples > 0
    with open_store(f"oxigraph:{loaded}") as again:  # closed: the next one may open it
        assert len(again) == triples
