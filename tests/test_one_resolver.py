"""One resolver on every path: the same eight spellings of LSTU give the same institution from the command
line (query parameter, resolve), viz --focus, and the endpoint's named queries (the page's search: test_render)."""

from __future__ import annotations

import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

from conftest import DATA, LSTU_SPELLINGS

SPELLINGS = LSTU_SPELLINGS


def _coopgraph(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coopgraph", *args], capture_output=True, text=True, cwd=cwd)


def test_the_resolver_gives_one_institution_for_every_spelling(shipped_store):
    from coopgraph import ids, resolve

    assert {resolve.institution(shipped_store, s) for s in SPELLINGS} == {ids.entity("lstu")}


def test_query_parameter_resolves_every_spelling(shipped_store):
    from coopgraph.queries import run_query

    answers = {tuple(map(tuple, run_query(shipped_store, "partners", {"institution": s}))) for s in SPELLINGS}
    assert len(answers) == 1
    (rows,) = answers
    assert {str(row[0]).rsplit("/", 1)[-1] for row in rows} == {"ustl", "sut", "neu-shenyang"}


def test_resolve_command_answers_every_spelling():
    done = _coopgraph("resolve", *SPELLINGS, "--data", str(DATA))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == SPELLINGS
    assert all(line.split("\t")[1].startswith("lstu: Lipetsk State Technical University") for line in lines)


def test_resolve_names_what_holds_a_part_of_a_name_but_does_not_guess():
    done = _coopgraph("resolve", "Northeastern", "--data", str(DATA))
    assert done.returncode == 1
    assert "'Northeastern University' (neu-shenyang)" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_viz_focus_takes_every_spelling(tmp_path, shipped_store, spelling):
    from coopgraph import network

    G = network.view(shipped_store, focus=spelling)
    assert G.graph["focus"] == "lstu"
    assert sorted(G) == ["lstu", "neu-shenyang", "sut", "ustl"]


def test_viz_focus_on_the_command_line(tmp_path):
    done = _coopgraph("viz", str(DATA), "--focus", "Липецкого Политеха", "-o", str(tmp_path / "g.html"))
    assert done.returncode == 0, done.stderr
    assert "(4 nodes, 3 edges)" in done.stdout


@pytest.fixture(scope="module")
def endpoint():
    from coopgraph.server import start_server

    with start_server(data=[DATA], port=0, workers=2) as server:
        yield server.url


def test_named_queries_over_http_resolve_every_spelling(endpoint):
    bodies = set()
    for spelling in SPELLINGS:
        url = endpoint + "queries/partners?" + urllib.parse.urlencode({"institution": spelling})
        request = urllib.request.Request(url, headers={"Accept": "text/csv"})
        with urllib.request.urlopen(request) as response:
            bodies.add(response.read())
    assert len(bodies) == 1
    (body,) = bodies
    assert b"University of Science and Technology Liaoning" in body and body.count(b"\n") == 4  # header + 3 rows


def test_an_unknown_institution_over_http_is_a_400_with_the_resolver_message(endpoint):
    url = endpoint + "queries/partners?" + urllib.parse.urlencode({"institution": "Northeastern"})
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(url)
    assert failure.value.code == 400
    assert "Northeastern University" in failure.value.read().decode("utf-8")
