"""Every library query runs unchanged as plain SPARQL, on an engine with its defaults (issue 15 item 4).

What a YASGUI user or another engine does with a ``.rq`` file: load the dump (``out/coop.trig``) into
Oxigraph, query the union of its graphs, and run the file as it is — parameters left unbound, so
that the defaults the header declares must be the query's own — or with the parameters bound the
usual way, in one ``VALUES`` block at the end of the query (SPARQL's trailing VALUES clause) or at the
start of its outer WHERE group. Either way the rows must be those of ``coopgraph query``
(:func:`coopgraph.queries.run_query`, which binds every parameter, defaults included, inside each
group that uses it). Rows are compared as multisets of string tuples, lists inside a cell sorted.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_queries import CASES, MULTI, _case_id, _rows, _text

from coopgraph import export, pipeline, sparqltext
from coopgraph.build import build_dataset
from coopgraph.queries import bind_parameters, list_queries, load_query, run_query
from coopgraph.stores import MemoryStore

ROOT = Path(__file__).resolve().parents[1]

#: Not yet portable with parameters given by hand (issue 15, open): topics tests its institution inside
#: one-row subqueries; timeline's trailing VALUES meets its COALESCE defaults after they are bound.
NOT_HERE = {"topics", "timeline"}
#: Queries that choose their page (or their best 1000) in a subquery, before their rows are looked up: a
#: parameter that narrows the choice must stand inside it, and SPARQL evaluates a subquery on its own, so
#: a VALUES block outside cannot reach it. On the test data some of them give the right rows anyway (every
#: agreement of the multi fixture is HIT's): asked, not checked.
CHOSEN_INSIDE = {"agreements", "programmes", "mobility", "delegations", "visits", "cooperation",
                 "partners-of-partners", "find-institution"}


def _known(name: str, params) -> None:
    if name in NOT_HERE and params:
        pytest.xfail(f"{name}: its parameters given by hand do not reach where they are used yet (issue 15)")
    if name in CHOSEN_INSIDE and params:
        pytest.xfail(f"{name}: its parameters narrow a subquery that a VALUES block outside does not reach")


UNREQUIRED = [q.name for q in list_queries() if not any(p.required for p in q.params)]


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> ox.Store:
    """``coopgraph build -o TMP`` of the shipped data, TMP/coop.trig and the library's index (TMP/index.trig)
    loaded into an Oxigraph store in memory, as a user of the .rq files would load them."""
    out = tmp_path_factory.mktemp("out")
    pipeline.build([ROOT / "data"], out=out)
    store = ox.Store()
    store.load(path=str(out / "coop.trig"), format=ox.RdfFormat.TRIG)
    store.load(path=str(out / "index.trig"), format=ox.RdfFormat.TRIG)
    return store


@pytest.fixture(scope="module")
def multi():
    """The multi-country fixture: as a memory store, and as Oxigraph loaded from its TriG export."""
    dataset = build_dataset(MULTI).dataset
    store = ox.Store()
    store.load(export.trig(dataset), ox.RdfFormat.TRIG)
    return MemoryStore(dataset), store


@pytest.fixture(scope="module")
def stores(dump, shipped_store, multi):
    """(what ``coopgraph query`` reads, the Oxigraph store loaded from the dump) per fixture of CASES."""
    return {"shipped": (shipped_store, dump), "multi": multi}


def _plain(store: ox.Store, text: str) -> Counter:
    """The rows of a query run as it is, on the union of the graphs (YASGUI on Oxigraph's union default graph)."""
    solutions = store.query(text, use_default_graph_as_union=True)
    columns = [v.value for v in solutions.variables]
    return Counter(tuple(_text(None if s[c] is None else s[c].value, c) for c in columns) for s in solutions)


def _values(query, params) -> str:
    """The given parameters (only those: the others stay unbound) as one VALUES block ("" when none is given)."""
    terms = {name: term for name, term in bind_parameters(query, params).items() if name in params}
    if not terms:
        return ""
    names = " ".join(f"?{name}" for name in terms)
    values = " ".join(term.n3() for term in terms.values())
    return f"VALUES ({names}) {{ ({values}) }}"


def _groups_outer_rows(text: str) -> bool:
    """Whether the outer query has a GROUP BY (after the last closing brace of its WHERE group)."""
    return re.search(r"\}\s*GROUP\s+BY[^{}]*$", sparqltext.strip_comments(text), re.I) is not None


def _at_outer_where(text: str, block: str) -> str:
    """The text with ``block`` just inside the outer WHERE group's ``{`` (the first WHERE outside a comment)."""
    for match in re.finditer(r"\bWHERE\s*\{", text, re.I):
        line = text[text.rfind("\n", 0, match.start()) + 1: match.start()]
        if "#" not in line:
            return text[: match.end()] + " " + block + " " + text[match.end():]
    raise AssertionError("no WHERE group")


@pytest.mark.parametrize("name", UNREQUIRED)
def test_runs_as_it_is(name, dump, shipped_store):
    """With no parameter bound, a query gives what ``coopgraph query`` gives with the defaults."""
    _known(name, {})
    query = load_query(name)
    expected = Counter(_rows(run_query(shipped_store, name, {})))
    assert _plain(dump, query.text) == expected
    assert expected or name.startswith("quality-")  # the shipped data answers every listing


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_values_at_the_end(case, stores):
    """The given parameters in SPARQL's trailing VALUES clause, the others left to their defaults.

    SPARQL joins a trailing VALUES clause after grouping (SPARQL 1.1, 18.2.4): for a query that
    groups its outer rows, it can only pick among the groups, and a parameter that filters what is
    counted cannot be given there. Such queries are asked with the block at the start of the WHERE group.
    """
    fixture, name, params, _ = case
    memory, oxigraph = stores[fixture]
    _known(name, params)
    query = load_query(name)
    if params and _groups_outer_rows(query.text):
        pytest.skip("an outer GROUP BY: a trailing VALUES is joined after grouping")
    block = _values(query, params)
    expected = Counter(_rows(run_query(memory, name, params)))
    assert _plain(oxigraph, query.text + "\n" + block) == expected


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_values_at_the_start_of_where(case, stores):
    """The given parameters in one VALUES block at the start of the outer WHERE group."""
    fixture, name, params, _ = case
    memory, oxigraph = stores[fixture]
    _known(name, params)
    query = load_query(name)
    block = _values(query, params)
    expected = Counter(_rows(run_query(memory, name, params)))
    assert _plain(oxigraph, _at_outer_where(query.text, block)) == expected
