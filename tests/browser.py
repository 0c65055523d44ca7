"""Headless Debian Chromium for browser tests, with the network blocked and every request recorded.

Use the fixtures ``browser`` (one Chromium per session) and ``browser_page`` (a fresh page) by importing
them into a test module, ``from browser import browser_fixture, browser_page_fixture  # noqa: F401``
(``tests/`` is on ``sys.path`` under pytest's default import mode, or through
``pythonpath = ["tests"]``), or the context managers directly::

    with chromium() as browser, open_page(browser) as session:
        session.goto(path)
        assert session.log.remote_requests() == []

A request to anything but ``file:``, ``data:``, ``blob:`` or ``about:`` is aborted and recorded; so
are WebSocket connections. Console errors, uncaught page errors and dialogs (``alert``, ``confirm``,
``prompt``, ``beforeunload``; each dismissed) are recorded too. When Chromium is missing the tests
fail if the environment variable ``CI`` is set, and are skipped otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "LOCAL_SCHEMES",
    "PageLog",
    "BrowserPage",
    "chromium_path",
    "chromium",
    "open_page",
    "browser_fixture",
    "browser_page_fixture",
]

#: The browser used; ``COOPGRAPH_CHROMIUM`` overrides it.
CHROMIUM = os.environ.get("COOPGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # belt and braces: even a request that escaped interception could not resolve a host name
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
#: URL schemes a page may load from; anything else is aborted.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


@dataclass
class PageLog:
    """What a page tried to do: every request, console errors, page errors and dialogs."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def remote_requests(self) -> list[str]:
        """Requests to anything but a local scheme (all of them were aborted)."""
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]

    def problems(self) -> list[str]:
        """Everything that should not happen on a well-behaved offline page, one line each."""
        return (
            [f"request: {url}" for url in self.remote_requests()]
            + [f"console error: {text}" for text in self.console_errors]
            + [f"page error: {text}" for text in self.page_errors]
            + [f"dialog: {text}" for text in self.dialogs]
        )


@dataclass
class BrowserPage:
    """A Playwright page and the log of what it tried to do."""

    page: Any
    log: PageLog

    def goto(self, path: str | os.PathLike[str], *, wait_until: str = "load") -> None:
        """Open a local file."""
        self.page.goto(Path(path).resolve().as_uri(), wait_until=wait_until)


def chromium_path() -> str:
    """The Chromium executable; fails the test under CI when it is missing, skips it otherwise."""
    found = CHROMIUM if os.path.isfile(CHROMIUM) else shutil.which("chromium")
    if found and os.access(found, os.X_OK):
        return found
    message = (
        f"Chromium not found at {CHROMIUM} (nor 'chromium' on PATH): install Debian's chromium "
        "(apt-get install chromium) or set COOPGRAPH_CHROMIUM"
    )
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
    raise AssertionError("unreachable")  # pragma: no cover


# Playwright's sync API allows one running instance per thread: share it between nested users
# (a session-scoped fixture and a test that launches its own browser), stop it with the last one.
_playwright: list[Any] = []  # [playwright, number of users] while running


@contextmanager
def _shared_playwright() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - the test extra installs it
        message = f"playwright is not installed ({error}): pip install -e '.[test]'"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    if not _playwright:
        _playwright[:] = [sync_playwright().start(), 0]
    _playwright[1] += 1
    try:
        yield _playwright[0]
    finally:
        _playwright[1] -= 1
        if _playwright[1] == 0:
            playwright = _playwright[0]
            _playwright.clear()
            playwright.stop()


@contextmanager
def chromium() -> Iterator[Any]:
    """Launch headless Chromium through Playwright; yields the Browser."""
    executable = chromium_path()
    with _shared_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_page(browser: Any, *, viewport: tuple[int, int] = (1280, 800)) -> Iterator[BrowserPage]:
    """A fresh context and page with the network blocked and everything recorded."""
    log = PageLog()
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, service_workers="block")

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            log.blocked.append(url)
            route.abort("blockedbyclient")

    def websocket(ws: Any) -> None:  # never connected to a server: the socket goes nowhere
        log.requests.append(ws.url)
        log.blocked.append(ws.url)

    def dialog(dialog: Any) -> None:
        log.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def console(message: Any) -> None:
        if message.type == "error":
            where = message.location or {}
            log.console_errors.append(f"{message.text} ({where.get('url', '')}:{where.get('lineNumber', '')})")

    context.route("**/*", route)
    context.route_web_socket(re.compile(".*"), websocket)
    # every request, whether routed or not (file: navigations are not), is recorded here
    context.on("request", lambda request: log.requests.append(request.url))
    page = context.new_page()
    page.on("dialog", dialog)
    page.on("console", console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    try:
        yield BrowserPage(page, log)
    finally:
        context.close()


@pytest.fixture(scope="session", name="browser")
def browser_fixture() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    with chromium() as launched:
        yield launched


@pytest.fixture(name="browser_page")
def browser_page_fixture(browser: Any) -> Iterator[BrowserPage]:
    """A fresh page with the network blocked; ``.page`` is Playwright's, ``.log`` what it tried."""
    with open_page(browser) as session:
        yield session
