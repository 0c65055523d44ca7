"""coopgraph serve's pages in headless Chromium: the query editor (vendored YASGUI) runs a query of the
library and shows its table, the network page draws, and nothing is requested from other hosts."""

from __future__ import annotations

import io
import re
import urllib.request
from importlib import resources
from pathlib import Path

import pytest

import browser
from browser import chromium, open_page
from coopgraph.server import start_server
from coopgraph.server.web import PAGE_POLICY, STATIC_FILES

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
STATIC = resources.files("coopgraph") / "static"


@pytest.fixture(scope="module")
def server():
    with start_server(data=[DATA], port=0, workers=2) as running:
        yield running


@pytest.fixture(scope="module")
def local_chromium():
    """Chromium that may resolve 127.0.0.1 (browser.py maps every host name to nowhere), once per module."""
    args = tuple("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" if a.startswith("--host-resolver-rules")
                 else a for a in browser.CHROMIUM_ARGS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(browser, "CHROMIUM_ARGS", args)
        with chromium() as launched:
            yield launched


@pytest.fixture()
def session(server, local_chromium):
    """A page that may reach the server and nothing else (every other request is recorded and aborted)."""
    origin = server.url.rstrip("/")
    with open_page(local_chromium) as page_session:
        page_session.page.route(origin + "/**", lambda route: route.continue_())
        yield page_session


def foreign(session, server) -> list[str]:
    """Requests to anything but the server (and local schemes)."""
    origin = server.url.rstrip("/")
    return [url for url in session.log.remote_requests() if not url.startswith(origin + "/")] + session.log.blocked


def not_blank(png: bytes) -> tuple[int, int]:
    """(distinct colours, pixels that are not the background) of a screenshot."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    background = max(colours)[1] if colours else (255, 255, 255)
    inked = sum(count for count, colour in colours if colour != background)
    return len(colours), inked


# ------------------------------------------------------------------------------------- without a browser


def test_the_page_loads_only_files_of_this_server():
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    references = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert references and all(ref.startswith("/") and not ref.startswith("//") for ref in references)
    assert {ref[len("/static/"):] for ref in references if ref.startswith("/static/")} <= set(STATIC_FILES)
    for name in STATIC_FILES:
        assert (STATIC / name).is_file(), name


def test_the_page_is_served_with_a_policy_that_forbids_other_hosts(server):
    with urllib.request.urlopen(server.url) as response:
        policy = response.headers["Content-Security-Policy"]
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert policy == PAGE_POLICY
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "script-src 'self'" in policy
    assert "http" not in policy and "*" not in policy


def test_yasgui_is_vendored_with_its_notice():
    notice = (STATIC / "yasgui" / "NOTICE.md").read_text(encoding="utf-8")
    assert "@zazuko/yasgui" in notice and "4.6.2" in notice and "MIT" in notice
    assert (STATIC / "yasgui" / "yasgui.min.js").stat().st_size > 500_000


# ------------------------------------------------------------------------------------- in Chromium


@pytest.mark.browser
def test_a_query_of_the_library_runs_from_the_editor(session, server):
    page = session.page
    page.goto(server.url)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    page.select_option("#query-name", "partners")
    assert "Institutions that cooperate" in page.inner_text("#query-summary")
    page.fill("input[data-param=institution]", "lstu")
    page.click("#run-query")
    page.locator(".yasr table tbody tr").nth(2).wait_for(timeout=15_000)  # (the page's policy forbids eval:
    assert page.locator(".yasr table tbody tr").count() == 3             # no wait_for_function here)
    table = page.inner_text(".yasr table")
    assert "University of Science and Technology Liaoning" in table and "Shenyang University of Technology" in table
    assert "(<https://w3id.org/coopgraph/id/lstu>" in page.evaluate("coopgraph.yasgui.getTab().getYasqe().getValue()")
    colours, inked = not_blank(page.screenshot(full_page=True))
    assert colours > 20 and inked > 20_000, (colours, inked)
    assert foreign(session, server) == []
    assert session.log.console_errors == [] and session.log.page_errors == [] and session.log.dialogs == []


@pytest.mark.browser
def test_a_query_typed_in_the_editor_runs(session, server):
    page = session.page
    page.goto(server.url)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    page.evaluate("""() => coopgraph.yasgui.getTab().getYasqe().setValue(
        'PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\\n' +
        'SELECT ?institution ?name WHERE {\\n  ?institution skos:prefLabel ?name .\\n' +
        '  FILTER(lang(?name) = "zh")\\n}\\n')""")
    page.click(".yasqe_queryButton")
    page.locator(".yasr table tbody tr").first.wait_for(timeout=15_000)
    assert "辽宁科技大学" in page.inner_text(".yasr table")
    assert foreign(session, server) == [] and session.log.console_errors == [] and session.log.page_errors == []


@pytest.mark.browser
def test_the_editor_cannot_reach_other_hosts(session, server):
    page = session.page
    page.goto(server.url)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    # YASGUI's class and property completers ask lov.linkeddata.es: they are off
    assert page.evaluate("coopgraph.yasgui.getTab().getYasqe().config.autocompleters") == ["prefixes", "variables"]
    # and the page's policy stops anything that would try, before a request is made
    outcome = page.evaluate("""() => fetch('https://lov.linkeddata.es/dataset/lov/api/v2/autocomplete/terms?q=x')
        .then(() => 'fetched', error => 'refused: ' + error)""")
    assert outcome.startswith("refused")
    page.evaluate("""() => { const s = document.createElement('script'); s.src = 'https://cdn.example.org/x.js';
        document.head.appendChild(s); }""")
    page.wait_for_timeout(300)
    # Playwright reports the script element's request, but the policy stopped it inside the browser:
    # it never reached the network (the blocking route in browser.py would have recorded it)
    assert session.log.blocked == []
    assert [url for url in foreign(session, server)] == ["https://cdn.example.org/x.js"]
    errors = session.log.console_errors  # each refusal is logged: the fetch (twice: refused, then failed), the script
    assert any("lov.linkeddata.es" in e for e in errors) and any("cdn.example.org" in e for e in errors)
    assert all("Content Security Policy" in e or "Failed to fetch" in e or "Refused" in e for e in errors), errors


@pytest.mark.browser
def test_a_missing_parameter_is_shown_in_the_page(session, server):
    page = session.page
    page.goto(server.url)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    page.select_option("#query-name", "partners")
    page.click("#load-query")
    page.locator("#picker-error", has_text="missing").wait_for(timeout=10_000)
    assert "missing parameter 'institution'" in page.inner_text("#picker-error")


@pytest.mark.browser
def test_the_network_page_draws_from_the_server(session, server):
    page = session.page
    page.goto(server.url + "graph")
    page.wait_for_selector("html[data-drawn]", state="attached", timeout=20_000)
    assert page.evaluate("coopgraph.network.body.nodeIndices.length") > 3
    colours, inked = not_blank(page.screenshot())
    assert colours > 5 and inked > 5_000
    assert foreign(session, server) == [] and session.log.page_errors == []


@pytest.mark.browser
def test_the_library_page_links_run_queries(session, server):
    page = session.page
    page.goto(server.url + "queries")
    assert page.locator("section").count() >= 19
    page.click("a[href='/queries/cooperation']")
    page.locator("body.answer table").wait_for(timeout=15_000)  # a browser asks for HTML: a table
    assert page.locator("body.answer tbody tr").count() == 6
    assert "Lipetsk State Technical University" in page.inner_text("body.answer table")
    assert foreign(session, server) == []
