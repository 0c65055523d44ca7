"""coopgraph serve keeps complete answers for a store only it changes, and forgets them on an update."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from pathlib import Path

from test_server import request, sparql_get

from coopgraph.server import start_server
from coopgraph.server.cache import AnswerCache
from coopgraph.server.engine import Job, Reply

DATA = Path(__file__).resolve().parents[1] / "data"
ASK_X = 'ASK { <https://example.org/a> <https://example.org/p> "x" }'


def test_only_complete_answers_are_kept():
    cache = AnswerCache(1000)
    calls = []

    def compute(status: int, body: bytes):
        def run():
            calls.append(body)
            return Reply(status, body)
        return run

    first = cache.answer(Job("query", text="q1"), compute(200, b"rows"))
    again = cache.answer(Job("query", text="q1"), compute(200, b"other"))
    assert (first.body, first.headers["X-Coopgraph-Cache"]) == (b"rows", "miss")
    assert (again.body, again.headers["X-Coopgraph-Cache"]) == (b"rows", "hit")
    for status in (400, 503):  # a refusal or a time-out is asked again
        cache.answer(Job("query", text=f"bad{status}"), compute(status, b"no"))
        assert cache.answer(Job("query", text=f"bad{status}"), compute(200, b"yes")).body == b"yes"
    assert cache.answer(Job("query", text="q1", accept="text/csv"), compute(200, b"csv")).body == b"csv"  # another format
    assert calls == [b"rows", b"no", b"yes", b"no", b"yes", b"csv"]


def test_the_least_recently_used_answers_go_first_and_clear_forgets_all():
    cache = AnswerCache(10)
    for name in ("a", "b", "c"):
        cache.answer(Job("query", text=name), lambda: Reply(200, b"1234"))
    cache.answer(Job("query", text="a"), lambda: Reply(200, b"new!"))  # a was dropped for c (12 bytes > 10)
    assert cache.answer(Job("query", text="c"), lambda: Reply(200, b"new!")).body == b"1234"
    cache.clear()
    assert cache.answer(Job("query", text="c"), lambda: Reply(200, b"anew")).body == b"anew"


def test_the_same_request_in_flight_is_computed_once():
    cache = AnswerCache(1000)
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow():
        calls.append(1)
        started.set()
        release.wait(10)
        return Reply(200, b"answer")

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(cache.answer(Job("query", text="q"), slow)))
               for _ in range(4)]
    threads[0].start()
    started.wait(10)
    for thread in threads[1:]:
        thread.start()
    time.sleep(0.2)
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1 and [a.body for a in answers] == [b"answer"] * 4
    assert sorted(a.headers["X-Coopgraph-Cache"] for a in answers) == ["miss", "shared", "shared", "shared"]


def test_a_cleared_cache_does_not_keep_an_answer_computed_before_the_change():
    cache = AnswerCache(1000)

    def computed_while_the_store_changes():
        cache.clear()  # an update lands while this answer is computed
        return Reply(200, b"old")

    cache.answer(Job("query", text="q"), computed_while_the_store_changes)
    assert cache.answer(Job("query", text="q"), lambda: Reply(200, b"new")).body == b"new"


def test_the_server_gives_a_kept_answer_again_and_forgets_it_on_an_update():
    with start_server(data=[DATA], port=0, workers=2, allow_update=True) as running:
        partners = running.url + "queries/partners?" + urllib.parse.urlencode({"institution": "lstu"})
        first = request(partners, Accept="text/csv")
        second = request(partners, Accept="text/csv")
        assert first[0] == second[0] == 200 and first[2] == second[2] and first[2].count(b"\n") == 4
        assert (first[1]["X-Coopgraph-Cache"], second[1]["X-Coopgraph-Cache"]) == ("miss", "hit")
        assert json.loads(sparql_get(running, ASK_X)[2])["boolean"] is False
        insert = 'INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> <https://example.org/p> "x" } }'
        status, _, body = request(running.endpoint, data=insert.encode(), **{"Content-Type": "application/sparql-update"})
        assert status == 204, body
        status, headers, body = sparql_get(running, ASK_X)
        assert json.loads(body)["boolean"] is True and headers["X-Coopgraph-Cache"] == "miss"


def test_no_cache_when_asked_for_none():
    with start_server(data=[DATA], port=0, workers=2, cache_mb=0) as running:
        for _ in range(2):
            status, headers, _ = sparql_get(running, "ASK { ?s ?p ?o }")
            assert status == 200 and headers["X-Coopgraph-Cache"] is None
