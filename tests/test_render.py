"""coopgraph.render: one self-contained HTML file, offline, escaped, searchable; written atomically."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import networkx as nx
import pytest

from browser import browser_fixture, browser_page_fixture  # noqa: F401  (fixtures `browser`, `browser_page`)
from conftest import LSTU_SPELLINGS
from coopgraph import render
from coopgraph.render import html_document, render_html

EX = "https://coopgraph.example.org/id/"
LSTU, USTL, NEU, ASU = EX + "lstu", EX + "ustl", EX + "neu", EX + "asu"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "</script><script>alert(2)</script>"


# ---------------------------------------------------------------------------------------------
# textbook graphs with the attributes the network module produces


def add_institution(G: nx.Graph, iri: str, label: str, country: str | None, **names: str) -> None:
    G.add_node(
        iri,
        label=label,
        kind="University",
        country=country,
        names=names or {"en": label},
        city={"RU": "Lipetsk", "CN": "Anshan"}.get(country or ""),
        sources=["https://news.example.org/2023-09-lstu"],
    )


def add_cooperation(G: nx.Graph, u: str, v: str, weight: int = 1, kinds: tuple[str, ...] = ("visit",)) -> None:
    G.add_edge(
        u,
        v,
        weight=weight,
        kinds=list(kinds),
        first_year=2019,
        last_year=2023,
        sources=["https://news.example.org/2023-09-lstu"],
    )


def triangle() -> nx.Graph:
    G = nx.Graph()
    add_institution(G, LSTU, "Lipetsk State Technical University", "RU", ru="ЛГТУ", en="LSTU")
    add_institution(G, USTL, "University of Science and Technology Liaoning", "CN", zh="辽宁科技大学")
    add_institution(G, NEU, "Northeastern University", "CN", zh="东北大学", en="NEU")
    add_cooperation(G, LSTU, USTL, 3, ("agreement", "visit"))
    add_cooperation(G, USTL, NEU, 1, ("programme",))
    add_cooperation(G, NEU, LSTU, 2, ("visit",))
    return G


def path(length: int = 4) -> nx.Graph:
    G = nx.Graph()
    iris = [f"{EX}p{i}" for i in range(length)]
    for i, iri in enumerate(iris):
        add_institution(G, iri, f"Institute {i}", ["RU", "CN", "KZ"][i % 3])
    for u, v in zip(iris, iris[1:], strict=False):
        add_cooperation(G, u, v)
    return G


def two_cliques() -> nx.Graph:
    """Two 4-cliques (Russian, Chinese) joined by one bridge; the hostile labels sit on one side."""
    G = nx.Graph()
    left = [f"{EX}ru{i}" for i in range(4)]
    right = [f"{EX}cn{i}" for i in range(4)]
    for i, iri in enumerate(left):
        add_institution(G, iri, f"Russian university {i}", "RU")
    for i, iri in enumerate(right):
        add_institution(G, iri, f"Chinese university {i}", "CN", zh=f"中国大学{i}")
    G.nodes[left[0]]["label"] = XSS_IMG
    G.nodes[left[1]]["label"] = XSS_SCRIPT
    G.nodes[left[1]]["names"] = {"en": XSS_SCRIPT, "ru": "Quote \" and ' and \u2028 and &amp;"}
    for side in (left, right):
        for a in range(4):
            for b in range(a + 1, 4):
                add_cooperation(G, side[a], side[b])
    add_cooperation(G, left[3], right[0], 5, ("agreement",))
    return G


GRAPHS = {"triangle": triangle, "path": path, "two cliques": two_cliques}


def page_data(document: str) -> dict:
    """The JSON the page reads, as the browser would parse it."""
    found = re.search(r'<script type="application/json" id="coopgraph-data">(.*?)</script>', document, re.S)
    assert found, "no data block"
    return json.loads(found.group(1))


# ---------------------------------------------------------------------------------------------
# the file itself


@pytest.mark.parametrize("name", GRAPHS)
def test_page_references_nothing_remote(name: str) -> None:
    document = html_document(GRAPHS[name]())
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", document, re.I)
    assert not re.search(r"<link\b", document, re.I)
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", document, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?\s*(?:https?:)?//", document, re.I)
    assert "default-src 'none'" in document  # and the page forbids any load by policy


def test_data_block_cannot_be_broken_out_of() -> None:
    document = html_document(two_cliques())
    assert XSS_IMG not in document and "alert(2)</script>" not in document
    # page_data reads up to the first </script> after the block's start, as the HTML parser does
    labels = {row[1] for row in page_data(document)["nodes"]}
    assert {XSS_IMG, XSS_SCRIPT} <= labels  # the JSON still says exactly what the graph said


def test_title_is_escaped() -> None:
    document = html_document(triangle(), title="<b>LSTU</b> & partners")
    assert "<title>&lt;b&gt;LSTU&lt;/b&gt; &amp; partners</title>" in document
    assert "<b>LSTU" not in document


def test_same_graph_same_bytes() -> None:
    assert html_document(two_cliques()) == html_document(two_cliques())


def test_legend_categories_and_colours() -> None:
    data = page_data(html_document(triangle(), color_by="kind"))
    assert data["colorBy"] == "kind"
    countries = {c["value"]: c for c in data["categories"]["country"]}
    assert set(countries) == {"RU", "CN"}
    assert countries["CN"]["count"] == 2 and countries["CN"]["order"] == 0  # most frequent first
    assert countries["CN"]["color"] != countries["RU"]["color"]
    assert {c["value"] for c in data["categories"]["edgeKind"]} == {"agreement", "visit", "programme"}
    widths = {tuple(sorted(row[:2])): row[2] for row in data["edges"]}
    assert widths[(0, 1)] > widths[(0, 2)] > widths[(1, 2)]  # weight 3 > 2 > 1


def test_physics_off_above_threshold_with_positions() -> None:
    data = page_data(html_document(path(5), physics_threshold=4))
    assert data["options"]["physics"]["enabled"] is False
    positions = [(row[4], row[5]) for row in data["nodes"]]
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in positions)
    assert len(set(positions)) == 5


def test_physics_on_below_threshold_is_bounded() -> None:
    options = page_data(html_document(path(5)))["options"]
    assert options["physics"]["enabled"] is True
    assert options["physics"]["stabilization"]["iterations"] <= 200
    assert page_data(html_document(path(5), physics=False))["options"]["physics"]["enabled"] is False


def test_given_positions_are_kept() -> None:
    G = path(3)
    for i, node in enumerate(G):
        G.nodes[node].update(x=float(i), y=0.5 * i)
    rows = page_data(html_document(G))["nodes"]
    assert [row[4] for row in rows] == sorted(row[4] for row in rows)
    assert rows[0][4] < rows[1][4] < rows[2][4] and rows[0][5] < rows[2][5]


def test_multigraph_edges_are_merged() -> None:
    G = nx.MultiGraph(triangle())
    G.add_edge(LSTU, USTL, weight=2, kinds=["mobility"], first_year=2015, last_year=None, sources=["s2"])
    data = page_data(html_document(G))
    kinds = [c["value"] for c in data["categories"]["edgeKind"]]
    merged = [row for row in data["edges"] if sorted(row[:2]) == [0, 1]]
    assert len(merged) == 1
    _, _, _, kind_ids, first, last, weight, sources, _ = merged[0]
    assert weight == 5 and (first, last) == (2015, 2023)
    assert sorted(kinds[k] for k in kind_ids) == ["agreement", "mobility", "visit"]
    assert sources == ["https://news.example.org/2023-09-lstu", "s2"]


def test_wrong_attribute_names_the_node() -> None:
    G = triangle()
    G.nodes[USTL]["names"] = {"zh": object()}
    with pytest.raises(TypeError, match=r"node https://coopgraph\.example\.org/id/ustl: attribute 'names'"):
        html_document(G)


# ---------------------------------------------------------------------------------------------
# atomic writing


def test_render_html_writes_and_returns_path(tmp_path: Path) -> None:
    target = tmp_path / "network.html"
    assert render_html(triangle(), target) == target
    assert target.read_text(encoding="utf-8") == html_document(triangle())
    assert [p.name for p in tmp_path.iterdir()] == ["network.html"]


def test_failed_render_leaves_old_file(tmp_path: Path) -> None:
    target = tmp_path / "network.html"
    target.write_text("old", encoding="utf-8")
    G = triangle()
    G.edges[LSTU, USTL]["sources"] = ["fine", object()]  # not serialisable, found mid-way
    with pytest.raises(TypeError, match="'sources'"):
        render_html(G, target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["network.html"]


def test_failed_write_leaves_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "network.html"
    target.write_text("old", encoding="utf-8")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(render.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        render_html(triangle(), target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["network.html"]


# ---------------------------------------------------------------------------------------------
# in headless Chromium, network blocked


def open_rendered(session, tmp_path: Path, G: nx.Graph, **options) -> Path:
    target = render_html(G, tmp_path / "network.html", **options)
    session.goto(target)
    session.page.wait_for_selector("html[data-drawn]", state="attached", timeout=15_000)
    return target


CANVAS_INK = """() => {
  const canvas = document.querySelector('#network canvas');
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const colours = new Set();
  let inked = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i + 3] > 0) { inked++; colours.add(pixels[i] << 16 | pixels[i + 1] << 8 | pixels[i + 2]); }
  }
  return {inked, colours: colours.size};
}"""


@pytest.mark.browser
def test_page_draws_offline(browser_page, tmp_path: Path) -> None:
    target = open_rendered(browser_page, tmp_path, two_cliques())
    page, log = browser_page.page, browser_page.log
    assert log.requests == [target.resolve().as_uri()]
    assert log.problems() == []
    assert page.evaluate("coopgraph.network.body.data.nodes.length") == 8
    assert page.evaluate("coopgraph.network.body.nodeIndices.length") == 8
    ink = page.evaluate(CANVAS_INK)
    assert ink["inked"] > 500 and ink["colours"] > 3, ink
    legend = page.inner_text("[data-legend=country]")
    assert "RU" in legend and "CN" in legend
    assert "13 edges" in page.inner_text("#status")


@pytest.mark.browser
def test_hostile_labels_stay_text(browser_page, tmp_path: Path) -> None:
    open_rendered(browser_page, tmp_path, two_cliques())
    page, log = browser_page.page, browser_page.log
    page.wait_for_timeout(200)
    assert page.evaluate("""document.querySelectorAll('img[src="x"], img').length""") == 0
    assert page.evaluate("document.scripts.length") == 3

    # hover the node: the tooltip shows every name as text (before any search moves the view)
    node = page.evaluate("coopgraph.data.nodes.findIndex(n => n[1].startsWith('</script>'))")
    x, y = page.evaluate(
        """(id) => {
          const net = coopgraph.network, box = document.getElementById('network').getBoundingClientRect();
          const p = net.canvasToDOM(net.getPosition(id));
          return [box.left + p.x, box.top + p.y];
        }""",
        node,
    )
    page.mouse.move(x, y)
    page.wait_for_selector("#tooltip", state="visible")
    tooltip = page.inner_text("#tooltip")
    assert XSS_SCRIPT in tooltip and "Quote \" and ' and" in tooltip and "&amp;" in tooltip
    assert "RU" in tooltip and "Lipetsk" in tooltip

    page.fill("#search", "<img")
    page.wait_for_selector("#results button")
    assert XSS_IMG in page.inner_text("#results")
    page.press("#search", "Enter")
    assert XSS_IMG in page.inner_text("#details")

    page.fill("#search", "alert(2)")
    page.wait_for_selector("#results button")
    assert XSS_SCRIPT in page.inner_text("#results")

    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert log.dialogs == [] and log.problems() == []


@pytest.mark.browser
def test_search_finds_node_by_chinese_name(browser_page, tmp_path: Path) -> None:
    open_rendered(browser_page, tmp_path, triangle())
    page = browser_page.page
    page.fill("#search", "辽宁科技大学")
    page.wait_for_selector("#results button")
    assert "University of Science and Technology Liaoning" in page.inner_text("#results")
    page.press("#search", "Enter")
    selected = page.evaluate("coopgraph.network.getSelectedNodes().map(i => coopgraph.data.nodes[i][0])")
    assert selected == [USTL]
    details = page.inner_text("#details")
    assert "辽宁科技大学" in details and "name (zh)" in details and "Anshan" in details
    assert browser_page.log.problems() == []


@pytest.mark.browser
def test_filters_hide_nodes_and_edges(browser_page, tmp_path: Path) -> None:
    open_rendered(browser_page, tmp_path, two_cliques())
    page = browser_page.page
    shown = "() => [coopgraph.network.body.nodeIndices.length, coopgraph.network.body.edgeIndices.length]"
    assert page.evaluate(shown) == [8, 13]
    page.locator("[data-legend=country] label", has_text="CN").locator("input").uncheck()
    assert page.evaluate(shown) == [4, 6]
    page.locator("[data-legend=edgeKind] label", has_text="visit").locator("input").uncheck()
    assert page.evaluate(shown) == [4, 0]
    assert "showing 4 of 8 nodes, 0 of 13 edges" in page.inner_text("#status")
    page.check("input[name=colorby][value=kind]")
    assert "University" in page.inner_text("[data-legend=kind]")
    assert browser_page.log.problems() == []


@pytest.mark.browser
def test_physics_off_page_uses_python_positions(browser_page, tmp_path: Path) -> None:
    target = open_rendered(browser_page, tmp_path, path(6), physics_threshold=3)
    page = browser_page.page
    assert page.evaluate("coopgraph.network.physics.options.enabled") is False
    rows = page_data(target.read_text(encoding="utf-8"))["nodes"]
    drawn = page.evaluate("coopgraph.network.getPositions()")
    for i, row in enumerate(rows):  # getPositions() rounds to whole pixels
        assert drawn[str(i)]["x"] == pytest.approx(row[4], abs=1)
        assert drawn[str(i)]["y"] == pytest.approx(row[5], abs=1)
    assert browser_page.log.problems() == []


def test_browser_helper_fails_under_ci_without_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    import browser

    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="Chromium not found at /nonexistent/chromium"):
        browser.chromium_path()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="Chromium not found"):
        browser.chromium_path()


# ---------------------------------------------------------------------------------------------
# the search box finds a node as the institution resolver does (issue 14), on the shipped data

SPELLINGS = LSTU_SPELLINGS
LSTU_NAME = "Lipetsk State Technical University"
#: Mentions the page and the resolver must answer alike: inflected, transliterated, ids in their forms.
MENTIONS = SPELLINGS + [
    "Липецкого Политеха",
    "Шэньянского технологического университета",
    "Северо-Восточного университета",
    "Ляонинским университетом науки и технологии",
    "Dongbei Daxue",
    "Lipeck State Technical University",
    "Shenyang Mechanical and Electrical Engineering College",
    "ЛУНТ",
    "neu",
    "https://ror.org/00s6tnr74",  # withdrawn, folded into LSTU's record
    "ror.org/03grx7119",
    "wd:Q14478494",
    "http://www.wikidata.org/entity/Q11138930",
    "Northeastern",  # a part of a name: shown while typing, never the answer
    "университет",
    "Харьковский авиационный институт",
]
#: Each result line: the node's label, then the name it matched when that is another (or the whole line).
RESULTS = """() => [...document.querySelectorAll('#results li')].map(li => li.querySelector('.label')
  ? [li.querySelector('.label').textContent, (li.querySelector('.also') || {}).textContent || ''] : [li.textContent, ''])"""


@pytest.fixture(scope="module")
def shipped_network(shipped_store) -> nx.Graph:
    from coopgraph import network

    return network.institution_network(shipped_store)


@pytest.fixture(scope="module")
def shipped_page(shipped_network, tmp_path_factory) -> Path:
    return render_html(shipped_network, tmp_path_factory.mktemp("page") / "graph.html")


def _open(session, target: Path) -> None:
    session.goto(target)
    session.page.wait_for_selector("html[data-drawn]", state="attached", timeout=15_000)


def _type(page, text: str) -> list[list[str]]:
    """Type ``text`` into the search box as a person would; the results that appear, as ``[label, also]``."""
    page.fill("#search", "")
    page.wait_for_selector("#results li", state="detached")
    page.type("#search", text)
    page.wait_for_selector("#results li")
    return page.evaluate(RESULTS)


def test_the_network_gives_the_page_what_the_resolver_reads(shipped_network):
    lstu = shipped_network.nodes["lstu"]
    assert lstu["acronyms"] == ["LSTU", "ЛГТУ"]
    assert lstu["ror"] == ["https://ror.org/006fh5g40", "https://ror.org/00s6tnr74"]  # live first, then withdrawn
    assert shipped_network.nodes["ustl"]["wikidata"] == ["http://www.wikidata.org/entity/Q14478494"]
    assert {"ЛГТУ", "Липецкий Политех"} <= set(lstu["aliases"]["ru"])  # acronyms stay aliases too


def test_search_tables_keep_the_inflections_of_the_words_of_the_names(shipped_page):
    data = page_data(shipped_page.read_text(encoding="utf-8"))
    search, forms = data["search"], data["search"]["forms"]
    assert {"липецкого", "липецкому", "липецким"} <= set(forms["липецкий"])
    assert "политеха" in forms["политех"] and "шэньянского" in forms["шэньянский"]
    assert forms["dongbei"] == ["dōngběi"]  # a Latin word with diacritics: its spelling, to its folded form
    assert "харьковский" not in forms  # only words of the names
    names, keys = search["entries"][[row[0] for row in data["nodes"]].index("lstu")]
    assert "Липецкий Политех" in names and "ЛГТУ" in keys and "LSTU" in keys and "006fh5g40" in keys


@pytest.mark.browser
def test_every_spelling_of_lstu_finds_it_first(browser_page, shipped_page) -> None:
    _open(browser_page, shipped_page)
    page = browser_page.page
    first = {spelling: _type(page, spelling)[0] for spelling in SPELLINGS}
    assert {s: label for s, (label, _) in first.items()} == dict.fromkeys(SPELLINGS, LSTU_NAME), first
    assert first["«Липецкого Политеха»"][1] == " \u2014 Липецкий Политех"  # the name it matched, shown
    assert first["ЛГТУ"][1] == " \u2014 ЛГТУ" and first["https://ror.org/006fh5g40"][1] == " \u2014 006fh5g40"
    page.press("#search", "Enter")
    selected = page.evaluate("coopgraph.network.getSelectedNodes().map(i => coopgraph.data.nodes[i][0])")
    assert selected == ["lstu"]
    assert "Lipetsk" in page.inner_text("#details")
    assert browser_page.log.problems() == []


@pytest.mark.browser
def test_inflected_names_type_ahead_and_nothing(browser_page, shipped_page) -> None:
    _open(browser_page, shipped_page)
    page = browser_page.page
    assert _type(page, "Шэньянского технологического университета") == [
        ["Shenyang University of Technology", " \u2014 Шэньянский технологический университет"]
    ]
    assert _type(page, "Липецкого Политеха") == [[LSTU_NAME, " \u2014 Липецкий Политех"]]
    assert _type(page, "Липецког")[0][0] == LSTU_NAME  # still typing
    assert _type(page, "Северо-Восточн")[0][0] == "Northeastern University"
    assert _type(page, "Харьковский авиационный институт") == [["no node has this name", ""]]
    assert page.locator("#results button").count() == 0
    assert browser_page.log.problems() == []


@pytest.mark.browser
def test_the_page_and_the_resolver_answer_alike(browser_page, shipped_page, shipped_build) -> None:
    from coopgraph.dataset import union
    from coopgraph.resolve import Resolver

    resolver = Resolver.from_graph(union(shipped_build.dataset))
    _open(browser_page, shipped_page)
    exact = """q => coopgraph.search(q, 50).filter(r => r.rank === 0).map(r => coopgraph.data.nodes[r.node][0]).sort()"""
    page_says = {m: browser_page.page.evaluate(exact, m) for m in MENTIONS}
    resolver_says = {m: [i.id for i in resolver.candidates(m)] for m in MENTIONS}
    assert page_says == resolver_says
    assert page_says["Шэньянского технологического университета"] == ["sut"]
    assert page_says["Northeastern"] == [] and page_says["университет"] == []
