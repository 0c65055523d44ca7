"""Every parameter is checked against its declared type or values before any store sees it, so every
store answers alike (issue 16, item 8: `cooperation` with kind=`x y` gave 1,000 rows of every kind on
Oxigraph and none in memory)."""

from __future__ import annotations

import pytest

from coopgraph.errors import QueryError
from coopgraph.queries import parse_query, query_text, run_query


@pytest.fixture(scope="module")
def stores(shipped_build, tmp_path_factory):
    from coopgraph.stores import MemoryStore, open_store

    folder = tmp_path_factory.mktemp("params") / "store"
    oxigraph = open_store(f"oxigraph:{folder}")
    oxigraph.load(shipped_build.dataset)
    yield {"memory": MemoryStore(shipped_build.dataset), "oxigraph": oxigraph}
    oxigraph.close()


@pytest.mark.parametrize("kind", ["x y", "visit>", "visits", "", "Visit"])
@pytest.mark.parametrize("store_kind", ["memory", "oxigraph"])
def test_a_kind_that_is_not_one_of_the_kinds_is_refused_on_every_store(stores, store_kind, kind):
    with pytest.raises(QueryError, match="parameter kind: '.*' is not one of agreement, programme, visit, mobility"):
        run_query(stores[store_kind], "cooperation", {"kind": kind})


def test_every_store_answers_a_declared_kind_alike(stores):
    answers = {name: sorted(tuple(map(str, row)) for row in run_query(store, "cooperation", {"kind": "visit"}))
               for name, store in stores.items()}
    assert answers["memory"] == answers["oxigraph"]
    assert len(answers["memory"]) == 3 and all(row[4] == "visit" for row in answers["memory"])


def test_the_header_declares_the_values_and_the_listing_shows_them():
    query = parse_query("#+ params: colour (string, optional, one of red green, default red)\nSELECT ?colour WHERE {}")
    (param,) = query.params
    assert param.values == ("red", "green") and param.default == "red"
    assert str(param) == "colour (string, optional, one of red green, default red)"
    assert 'VALUES (?colour) { ("green") }' in query_text(query, {"colour": "green"})
    with pytest.raises(QueryError, match="'blue' is not one of red, green"):
        query_text(query, {"colour": "blue"})


def test_a_default_outside_the_values_is_an_error_in_the_query_file():
    with pytest.raises(QueryError, match="not one of red, green"):
        parse_query("#+ params: colour (string, optional, one of red green, default blue)\nSELECT ?colour WHERE {}")


def test_the_endpoint_checks_values_before_a_worker_runs(tmp_path):
    import urllib.error
    import urllib.request

    from conftest import DATA
    from coopgraph.server import start_server

    with start_server(data=[DATA], port=0, workers=1) as server:
        with pytest.raises(urllib.error.HTTPError) as failure:
            urllib.request.urlopen(server.url + "queries/cooperation?kind=x%20y")
    assert failure.value.code == 400
    assert "is not one of agreement, programme, visit, mobility" in failure.value.read().decode()
