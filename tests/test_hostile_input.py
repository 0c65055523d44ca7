"""Hostile files: each probe of issue 16 (items 7 and 9) ends in one ``path:line`` error, quickly.

Authoring files (YAML): nesting deep enough to overflow a recursive parser, aliases that multiply,
NUL and other control characters, years no source means. Third-party RDF (``coopgraph import rdf``
and the build's ``.ttl``/``.nt``/``.jsonld``/``.rdf`` sources): remote JSON-LD contexts, files far
larger than a source, one endless line, XML entity bombs. Every file is made in ``tmp_path``.
"""

from __future__ import annotations

import doctest
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from conftest import DATA
from coopgraph.cli import main
from coopgraph.errors import SourceError
from coopgraph.queries import format_result, parse_query, run_query
from coopgraph.sources import read_source
from coopgraph.sources.rdfcheck import check_rdf

REGISTRY = str(DATA / "registry")

SOURCE = """\
source:
  id: source-probe
  type: NewsArticle
  title: {en: A probe}
  issued: 2024-01-01
  language: en
graph:
  - id: probe-visit
    type: Visit
    visitor: lstu
    host: ustl
    startDate: %s
"""


def _authoring(tmp_path: Path, tail: str = "", *, start: str = "2023-09-11", name: str = "probe.yaml") -> Path:
    path = tmp_path / name
    path.write_text(SOURCE % start + tail, encoding="utf-8")
    return path


def _one_error(argv: list[str], capsys) -> str:
    """Run the command line; it must exit 1 with exactly one line on stderr and no traceback."""
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


# ------------------------------------------------------------------ item 7: authoring files


def test_a_10000_deep_flow_mapping_is_one_error(tmp_path: Path, capsys):
    path = _authoring(tmp_path, "    quote: " + "{a: " * 10_000 + "x" + "}" * 10_000 + "\n")
    err = _one_error(["validate", str(path)], capsys)
    assert err.startswith(f"coopgraph: {path}:13: "), err
    assert "nests deeper than 32 levels" in err


def test_a_3000_deep_block_mapping_is_one_error(tmp_path: Path, capsys):
    block = "".join("  " * (i + 3) + "a:\n" for i in range(3000)) + "  " * 3003 + "x\n"
    path = _authoring(tmp_path, "    quote:\n" + block)
    err = _one_error(["validate", str(path)], capsys)
    assert re.match(rf"coopgraph: {re.escape(str(path))}:\d+: .*nests deeper than 32 levels", err), err


def test_aliases_that_multiply_are_one_error(tmp_path: Path, capsys):
    # each level holds the one before ten times: a million meetings from one line of 700 characters
    meeting = "&p0 {type: Meeting}"
    for level in range(1, 7):
        meeting = f"&p{level} {{type: Meeting, parts: [{meeting}" + f", *p{level - 1}" * 9 + "]}"
    path = _authoring(tmp_path, f"    parts: [{meeting}]\n")
    err = _one_error(["validate", str(path)], capsys)
    assert f"{path}:" in err and "aliases" in err, err


def test_an_alias_to_a_short_list_still_reads(tmp_path: Path):
    path = _authoring(tmp_path, "    topic: &t [topic-joint-programmes]\n  - id: v2\n    type: Visit\n    startDate: 2023\n"
                      "    topic: *t\n")
    assert len(read_source(path).graph) > 0


def test_a_nul_character_is_one_error(tmp_path: Path, capsys):
    path = _authoring(tmp_path, '    quote: {en: "a\x00b"}\n')
    err = _one_error(["validate", str(path)], capsys)
    assert err.startswith(f"coopgraph: {path}:13: "), err
    assert "control character U+0000" in err


@pytest.mark.parametrize(
    "value",
    ['"a\\e[31mred\\e[0m"', '"bell\\a"', '"csi\\x9b2J"', '"nul\\0"', '"\\u001b]0;title\\u0007"'],
    ids=["esc", "bel", "c1-csi", "nul", "osc-title"],
)
def test_control_characters_written_as_escapes_are_one_error(tmp_path: Path, capsys, value: str):
    path = _authoring(tmp_path, "    quote: {en: " + value + "}\n")
    err = _one_error(["validate", str(path)], capsys)
    assert err.startswith(f"coopgraph: {path}:13: "), err
    assert "control character" in err
    assert "\x1b" not in err and "\x07" not in err and "\x9b" not in err


def test_a_raw_escape_character_is_one_error(tmp_path: Path, capsys):
    path = _authoring(tmp_path, "    quote: {en: 'a\x1b[2Jb'}\n")
    err = _one_error(["validate", str(path)], capsys)
    assert err.startswith(f"coopgraph: {path}:13: ") and "control character U+001B" in err, err
    assert "\x1b" not in err


def test_a_control_character_in_a_key_is_reported_not_echoed(tmp_path: Path, capsys):
    path = _authoring(tmp_path, '    "\\e[31mhost": ustl\n')
    err = _one_error(["validate", str(path)], capsys)
    assert err.startswith(f"coopgraph: {path}:13: ") and "\x1b" not in err, err


def test_tabs_and_line_breaks_in_text_still_read(tmp_path: Path):
    path = _authoring(tmp_path, '    quote: {en: "one\\ttwo\\nthree"}\n')
    assert Literal("one\ttwo\nthree", lang="en") in set(read_source(path).graph.objects())


@pytest.mark.parametrize("year", ["0000", "0001", "1799", "2101", "9999"])
def test_years_no_source_means_are_one_error(tmp_path: Path, capsys, year: str):
    path = _authoring(tmp_path, start=year)
    err = _one_error(["validate", str(path)], capsys)
    assert err.startswith(f"coopgraph: {path}:12: "), err
    assert f"'{year}' for 'startDate' is outside the years coopgraph reads (1800–2100)" in err


@pytest.mark.parametrize("date", ["1800", "1800-01-01", "2100-12-31", "2024-02"])
def test_years_at_the_edges_of_the_range_read(tmp_path: Path, date: str):
    read_source(_authoring(tmp_path, start=date))


def test_founding_years_reach_back_to_the_oldest_universities(tmp_path: Path, capsys):
    entry = "  - id: old-university\n    type: University\n    name: {en: Old}\n    founded: '%s'\n"
    ok = _authoring(tmp_path, entry % "0970", name="ok.yaml")  # Al-Azhar University, the oldest founding year in ROR
    read_source(ok)
    bad = _authoring(tmp_path, entry % "0001", name="bad.yaml")
    err = _one_error(["validate", str(bad)], capsys)
    assert err.startswith(f"coopgraph: {bad}:16: ") and "outside the years coopgraph reads (800–2100)" in err, err


def _rdf_source(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_validation_reports_a_year_0000_in_an_rdf_source(tmp_path: Path, capsys):
    data = tmp_path / "data"
    _rdf_source(data, "visit.ttl", (
        "@prefix coop: <https://w3id.org/coopgraph/ns#> .\n@prefix schema: <http://schema.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<https://w3id.org/coopgraph/id/far-visit> a coop:Visit ; schema:startDate "0000"^^xsd:gYear .\n'
    ))
    assert main(["validate", str(data)]) == 1
    err = capsys.readouterr().err
    assert "'far-visit': startDate must be one date from 1800 to 2100" in err, err
    assert "Traceback" not in err


def test_validation_reports_a_control_character_in_an_rdf_source(tmp_path: Path, capsys):
    data = tmp_path / "data"
    _rdf_source(data, "label.ttl", (
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/coopgraph/id/lstu> rdfs:label "LSTU\\u001b[2J\\u0007"@en .\n'
    ))
    assert main(["validate", str(data)]) == 1
    err = capsys.readouterr().err
    assert "'lstu': a control character U+001B in rdfs:label" in err, err
    assert "\x1b" not in err and "\x07" not in err


def test_the_table_output_escapes_control_characters():
    graph = Graph()
    graph.add((URIRef("https://example.org/a"), URIRef("https://example.org/label"), Literal("red\x1b[31m bell\x07 csi\x9b end")))
    result = run_query(graph, parse_query("SELECT ?label WHERE { ?s ?p ?label }"))
    table = format_result(result, "table")
    assert isinstance(table, str)
    assert "red\\x1b[31m bell\\x07 csi\\x9b end" in table
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", table)


# ------------------------------------------------------------------ item 9: third-party RDF


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Serves a JSON-LD context and remembers every request it is sent."""

    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        type(self).requests.append(self.path)
        body = json.dumps({"@context": {"name": "http://schema.org/name"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def context_server() -> Iterator[tuple[str, list[str]]]:
    """A context server on 127.0.0.1: its URL, and the paths it was asked for."""
    requests: list[str] = []
    handler = type("Handler", (_Recorder,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/context.jsonld", requests
    finally:
        server.shutdown()
        server.server_close()


def _remote_context_file(tmp_path: Path, url: str, *, nested: bool = False) -> Path:
    node: dict = {"@id": "https://ror.org/03grx7119", "name": "USTL"}
    document = {"@context": {"@version": 1.1}, "@graph": [{"@context": [url], **node}]} if nested else {"@context": url, **node}
    return _rdf_source(tmp_path / "rdf", "remote.jsonld", json.dumps(document, indent=2))


def test_import_rdf_fetches_no_remote_context(tmp_path: Path, capsys, context_server):
    url, requests = context_server
    path = _remote_context_file(tmp_path, url)
    err = _one_error(["import", "rdf", str(path), "--registry", REGISTRY], capsys)
    assert requests == []
    assert f"{path}:2: " in err and f"a @context outside the file ({url})" in err, err


def test_a_nested_remote_context_is_refused_too(tmp_path: Path, context_server):
    url, requests = context_server
    path = _remote_context_file(tmp_path, url, nested=True)
    with pytest.raises(SourceError, match="@context outside the file"):
        read_source(path)
    assert requests == []


def test_the_build_fetches_no_remote_context(tmp_path: Path, capsys, context_server):
    url, requests = context_server
    path = _remote_context_file(tmp_path, url)
    err = _one_error(["validate", str(path.parent)], capsys)
    assert requests == [] and "@context outside the file" in err


def test_a_context_given_in_the_file_reads(tmp_path: Path):
    path = _rdf_source(tmp_path, "inline.jsonld", json.dumps(
        {"@context": {"name": "http://schema.org/name"}, "@id": "https://ror.org/03grx7119", "name": "USTL"}))
    assert len(read_source(path).graph) == 1


def test_a_sparse_1_gib_file_is_refused_before_reading(tmp_path: Path, capsys):
    path = tmp_path / "sparse.ttl"
    with path.open("wb") as f:
        f.truncate(1 << 30)
    err = _one_error(["import", "rdf", str(path), "--registry", REGISTRY], capsys)
    assert err.startswith(f"coopgraph: {path}: is 1 GiB, larger than 16 MiB"), err


def test_a_1_gib_file_with_one_valid_line_is_refused(tmp_path: Path, capsys):
    path = tmp_path / "one-line.nt"
    with path.open("wb") as f:
        f.write(b'<https://ror.org/03grx7119> <http://schema.org/name> "USTL" .\n')
        f.truncate(1 << 30)
    err = _one_error(["validate", str(path)], capsys)
    assert "larger than 16 MiB" in err and "COOPGRAPH_MAX_RDF_SIZE" in err, err


def test_the_size_limit_can_be_raised_or_lowered(tmp_path: Path, capsys):
    path = _rdf_source(tmp_path, "small.ttl", '<https://example.org/ustl> <http://schema.org/name> "USTL" .\n' * 40)
    err = _one_error(["import", "rdf", str(path), "--registry", REGISTRY, "--max-size", "1k"], capsys)
    assert "larger than 1 KiB" in err and "--max-size" in err
    assert main(["import", "rdf", str(path), "--registry", REGISTRY, "--max-size", "1M"]) == 0
    with pytest.raises(SystemExit) as usage:
        main(["import", "rdf", str(path), "--max-size", "lots"])
    assert usage.value.code == 2


def test_a_nul_byte_in_rdf_is_refused_with_its_line(tmp_path: Path, capsys):
    path = _rdf_source(tmp_path, "nul.nt", '<https://ror.org/03grx7119> <http://schema.org/name> "USTL" .\n\x00\x00\x00\n')
    err = _one_error(["import", "rdf", str(path), "--registry", REGISTRY], capsys)
    assert err.startswith(f"coopgraph: {path}:2: ") and "control character U+0000" in err, err


def test_one_very_long_n_triples_line_parses_in_linear_time(tmp_path: Path):
    # rdflib's N-Triples reader rescans its buffer for every 2 KiB it reads: a 2 MiB line took half a minute
    literal = "c" * (2 << 20)
    path = _rdf_source(tmp_path, "long.nt", f'<https://ror.org/03grx7119> <http://schema.org/description> "{literal}" .\n')
    assert Literal(literal) in set(read_source(path).graph.objects())


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:schema="http://schema.org/">
  <rdf:Description rdf:about="https://ror.org/03grx7119"><schema:name>&lol9;</schema:name></rdf:Description>
</rdf:RDF>
"""


def test_an_rdf_xml_billion_laughs_is_refused(tmp_path: Path, capsys):
    path = _rdf_source(tmp_path, "laughs.rdf", BILLION_LAUGHS)
    err = _one_error(["import", "rdf", str(path), "--registry", REGISTRY], capsys)
    assert err.startswith(f"coopgraph: {path}:4: ") and "entity 'lol1' refers to other entities" in err, err


def test_one_entity_repeated_past_the_limit_is_refused(tmp_path: Path):
    big = "x" * 1000
    body = "".join(f'<rdf:Description rdf:about="https://ror.org/{i:09d}"><schema:name>&big;</schema:name></rdf:Description>'
                   for i in range(5000))
    path = _rdf_source(tmp_path, "quadratic.rdf", (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY big "{big}"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:schema="http://schema.org/">'
        f"{body}</rdf:RDF>\n"
    ))
    with pytest.raises(SourceError, match="entities would expand"):
        check_rdf(path, max_bytes=1 << 20)


def test_external_entities_are_refused(tmp_path: Path, context_server):
    url, requests = context_server
    path = _rdf_source(tmp_path, "external.rdf", BILLION_LAUGHS.replace(
        BILLION_LAUGHS[BILLION_LAUGHS.index("[") + 1: BILLION_LAUGHS.index("]>")], f'\n  <!ENTITY lol9 SYSTEM "{url}">\n'))
    with pytest.raises(SourceError, match="entity 'lol9' refers to a file or address outside the file"):
        read_source(path)
    assert requests == []


def test_namespace_entities_in_rdf_xml_still_read(tmp_path: Path):
    # the idiom of ontology editors: entities that stand for namespaces
    path = _rdf_source(tmp_path, "entities.rdf", (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n  <!ENTITY schema "http://schema.org/">\n]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:schema="&schema;">\n'
        '  <rdf:Description rdf:about="https://ror.org/03grx7119"><schema:name>USTL</schema:name></rdf:Description>\n'
        "</rdf:RDF>\n"
    ))
    graph = read_source(path).graph
    assert (URIRef("https://ror.org/03grx7119"), URIRef("http://schema.org/name"), Literal("USTL")) in graph


def test_deeply_nested_json_ld_is_one_error(tmp_path: Path, capsys):
    path = _rdf_source(tmp_path, "deep.jsonld", '{"@id": "https://ror.org/03grx7119", "http://schema.org/p": '
                       + '{"http://schema.org/p": ' * 5000 + "1" + "}" * 5001)
    err = _one_error(["import", "rdf", str(path), "--registry", REGISTRY], capsys)
    assert err.startswith(f"coopgraph: {path}") and "nests deeper than 32 levels" in err, err


def test_deeply_nested_turtle_is_one_error(tmp_path: Path, capsys):
    path = _rdf_source(tmp_path, "deep.ttl", "<https://ror.org/03grx7119> <http://schema.org/p> "
                       + "[ <http://schema.org/p> " * 5000 + "1" + " ]" * 5000 + " .\n")
    err = _one_error(["import", "rdf", str(path), "--registry", REGISTRY], capsys)
    assert err.startswith(f"coopgraph: {path}") and "nests deeper than" in err, err


def test_import_rdf_exits_1_when_it_reports_problems(tmp_path: Path, capsys):
    path = _rdf_source(tmp_path, "tagged.ttl", '<https://example.org/ustl> <http://schema.org/name> "USTL"@None .\n')
    assert main(["import", "rdf", str(path), "--registry", REGISTRY]) == 1
    captured = capsys.readouterr()
    assert "1 problems found; nothing written" in captured.out
    assert f"{path}:1: " in captured.err
    assert main(["import", "rdf", str(path), "--registry", REGISTRY, "--strict"]) == 1  # kept: a no-op alias
    clean = _rdf_source(tmp_path, "clean.ttl", '<https://example.org/ustl> <http://schema.org/name> "USTL"@en .\n')
    assert main(["import", "rdf", str(clean), "--registry", REGISTRY]) == 0


def test_import_rdf_prints_control_characters_as_escapes(tmp_path: Path, capsys):
    path = _rdf_source(tmp_path, "escaped.ttl", (
        "<https://example.org/ustl> <http://www.w3.org/2002/07/owl#sameAs> <https://example.org/\\u001b[2J\\u0007> .\n"))
    assert main(["import", "rdf", str(path), "--registry", REGISTRY]) == 1
    err = capsys.readouterr().err
    assert "owl:sameAs <https://example.org/\\x1b[2J\\x07>: not an identifier IRI" in err, err
    assert "\x1b" not in err and "\x07" not in err


def test_many_defects_are_each_found_on_their_line(tmp_path: Path):
    # lines come from an index of the file made in one pass (a scan of every line per defect took hours at 16 MiB)
    lines = ["# <https://ror.org/0000000zz> in a comment is not where it is written"]
    lines += [f'<https://ror.org/0{i:06d}zz> <http://schema.org/name> "X{i}" .' for i in range(2000)]
    path = _rdf_source(tmp_path, "defects.nt", "\n".join(lines) + "\n")
    found = {w.line for w in check_rdf(path) if "is not a valid ROR identifier" in w.message}
    assert found == set(range(2, 2002))
    same_as = {"@id": "https://ror.org/0000000zz"}
    jsonld = _rdf_source(tmp_path, "defects.jsonld", json.dumps(
        {"@id": "https://example.org/ustl", "http://www.w3.org/2002/07/owl#sameAs": same_as}, indent=1))
    assert [w.line for w in check_rdf(jsonld) if "ROR" in w.message] == [4]


ROR_RECORD = DATA.parents[1] / "shared" / "data" / "ror" / "03grx7119__v1.54.json"


@pytest.mark.skipif(not ROR_RECORD.exists(), reason="shared ROR records are not beside the repository")
def test_a_founding_year_before_1000_is_imported_in_four_digits(tmp_path: Path):
    from coopgraph.sources.registry import import_ror

    record = json.loads(ROR_RECORD.read_text(encoding="utf-8"))
    record["established"] = 970
    (tmp_path / "old.json").write_text(json.dumps(record), encoding="utf-8")
    registry = tmp_path / "registry" / "institutions.yaml"
    registry.parent.mkdir()
    import_ror([tmp_path / "old.json"], registry=registry)
    assert re.search(r"founded: ['\"]0970['\"]", registry.read_text(encoding="utf-8"))
    read_source(registry)  # a year in three digits was a malformed date


def test_the_size_limit_of_every_command_comes_from_the_environment(tmp_path: Path, monkeypatch, capsys):
    path = _rdf_source(tmp_path / "data", "small.ttl", '<https://example.org/ustl> <http://schema.org/name> "USTL" .\n' * 40)
    monkeypatch.setenv("COOPGRAPH_MAX_RDF_SIZE", "1k")
    assert "larger than 1 KiB" in _one_error(["validate", str(path.parent)], capsys)
    monkeypatch.setenv("COOPGRAPH_MAX_RDF_SIZE", "lots")
    assert "COOPGRAPH_MAX_RDF_SIZE='lots' is not a size" in _one_error(["validate", str(path.parent)], capsys)
    monkeypatch.setenv("COOPGRAPH_MAX_RDF_SIZE", "2M")
    assert main(["validate", str(path.parent)]) == 0


def test_the_guard_examples_run():
    from coopgraph.sources import guard

    assert doctest.testmod(guard).failed == 0


def test_rdf_xml_nested_5000_deep_is_one_error(tmp_path: Path, capsys):
    # rdflib reads it in a third of a second; the build's canonical blank-node labels then took over five minutes
    body = '<rdf:Description rdf:about="https://example.org/a">' + "<s:p><rdf:Description>" * 5000 + "<s:q>1</s:q>"
    body += "</rdf:Description></s:p>" * 5000 + "</rdf:Description>"
    rdf = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="http://schema.org/"'
    path = _rdf_source(tmp_path, "deep.rdf", f'<?xml version="1.0"?><rdf:RDF {rdf}>{body}</rdf:RDF>')
    err = _one_error(["validate", str(path)], capsys)
    assert err.startswith(f"coopgraph: {path}: blank nodes nest deeper than 32 levels"), err


def test_long_lists_and_blank_node_cycles_are_one_level(tmp_path: Path):
    items = " ".join(f'"{i}"' for i in range(1000))
    path = _rdf_source(tmp_path, "list.ttl", f"<https://example.org/a> <http://schema.org/p> ( {items} ) .\n"
                       "_:x <http://schema.org/knows> _:y . _:y <http://schema.org/knows> _:x .\n")
    assert len(read_source(path).graph) == 2003
