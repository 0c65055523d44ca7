"""Every command behaves alike: --store wherever the graph is read, a quick start, capped listings, figures
that agree with the page, progress only on a terminal."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import DATA

#: The commands that read the graph, and the arguments each needs besides --store.
READERS = {
    "build": [], "validate": [], "load": [], "export": [], "docs": [], "stats": [], "viz": [], "network": ["-o", "x.csv"],
    "timeline": [], "query": ["partners"], "resolve": ["lstu"], "serve": [],
}


def _coopgraph(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coopgraph", *args], capture_output=True, text=True, cwd=cwd)


def test_the_command_line_starts_without_the_heavy_libraries():
    code = ("import sys; from coopgraph import cli; cli._parser().parse_args(['query', 'partners']); "
            "print(' '.join(sorted(m for m in ('rdflib', 'networkx', 'matplotlib', 'pyoxigraph', 'pyshacl', 'numpy') "
            "if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""  # imported where a command uses them, so --help answers at once


@pytest.mark.parametrize("command", sorted(READERS))
def test_every_command_that_reads_the_graph_takes_store(command):
    from coopgraph import cli

    args = cli._parser().parse_args([command, *READERS[command], "--store", "oxigraph:/nowhere"])
    assert args.store == "oxigraph:/nowhere"


def test_a_store_spec_means_the_same_to_every_command(tmp_path, monkeypatch):
    from coopgraph.stores import parse_spec

    monkeypatch.setenv("HOME", str(tmp_path))
    assert parse_spec("oxigraph:~/s").folder == tmp_path / "s"  # not a folder named '~'


def test_validate_checks_sources_against_what_a_store_holds(tmp_path):
    store = tmp_path / "store"
    loaded = _coopgraph("load", str(DATA), "--store", f"oxigraph:{store}")
    assert loaded.returncode == 0, loaded.stderr
    source = tmp_path / "extra.yaml"
    source.write_text(
        "source:\n  id: source-extra\n  type: NewsArticle\n  title: {en: Extra}\n  issued: 2024-01-01\n"
        "  language: en\n  publisher: lstu\ngraph:\n  - id: extra-visit\n    type: Visit\n    host: nosuch\n"
        "    startDate: 2024-01-02\n", encoding="utf-8")
    done = _coopgraph("validate", str(source), "--store", f"oxigraph:{store}")
    assert done.returncode == 1
    assert "nosuch" in done.stderr and "Traceback" not in done.stderr


def test_stats_top_caps_the_communities_it_lists():
    done = _coopgraph("stats", str(DATA), "--top", "2")
    assert done.returncode == 0, done.stderr
    ranking = done.stdout.split("communities:")[0]
    assert sum(1 for line in ranking.splitlines() if line[:4] in ("lstu", "ustl", "sut ", "neu-")) == 2
    assert "  1 (4): lstu, ustl and 2 more" in done.stdout


def test_viz_says_the_edges_the_page_draws(tmp_path, shipped_store):
    from coopgraph import network, render

    G = network.full_graph(shipped_store)
    data = render._page_data(G, title="t", color_by="kind", physics=None, physics_threshold=500)
    done = _coopgraph("viz", str(DATA), "--view", "full", "-o", str(tmp_path / "full.html"))
    assert done.returncode == 0, done.stderr
    assert f"({G.number_of_nodes()} nodes, {len(data['edges'])} edges)" in done.stdout
    assert len(data["edges"]) < G.number_of_edges()  # the full view has parallel edges, merged on the page


def test_the_build_summary_counts_what_it_does_not_list():
    from coopgraph.pipeline import SOURCES_LISTED, Summary

    many = Summary(triples=10, classes={}, sources=[(f"source-{i}", "t", 2) for i in range(SOURCES_LISTED + 5)])
    lines = many.lines()
    assert sum(1 for line in lines if line.startswith("  source-")) == SOURCES_LISTED - 1
    assert "  … and 6 more sources, 12 triples" in "\n".join(lines)


def test_no_progress_bar_reaches_a_pipe(tmp_path):
    done = _coopgraph("build", str(DATA), "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path):
    """``coopgraph … | head -1``: the reader is gone before the command writes (here: from the start)."""
    process = subprocess.Popen([sys.executable, "-m", "coopgraph", "queries"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    process.stdout.close()  # the reader leaves
    error = process.stderr.read()
    assert process.wait() == 141  # 128 + SIGPIPE, as a shell reports a writer whose reader left
    assert "Traceback" not in error and "BrokenPipe" not in error
