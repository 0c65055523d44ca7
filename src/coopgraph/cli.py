"""The command line: thin — parse, open the store, call one library function, print.

Exit codes: 0 ok; 1 bad input, data that does not conform, or problems reported; 2 usage error.

Every command that reads the graph takes ``--store``; :func:`_opened` gives it a
:class:`~coopgraph.stores.Store` (the memory store built from the sources when first read). The
stages are imported where a command uses them, so that ``coopgraph --help`` starts at once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from coopgraph import __version__, choices
from coopgraph.errors import CoopgraphError, ValidationError
from coopgraph.stores.spec import STORE_ENV, parse_spec

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coopgraph",
        description="A knowledge graph of academic cooperation: build, validate, query, show.",
        epilog="Example: coopgraph build data -o out",
    )
    parser.add_argument("--version", action="version", version=f"coopgraph {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser(
        "build",
        help="build the graph from sources, validate it, write its outputs",
        description="Read the sources, validate them, and write coop.ttl (the union) and coop.trig "
        "(one named graph per source) into the output folder. Nothing is written if anything fails.",
        epilog="Example: coopgraph build data -o out",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("paths", nargs="*", default=["data"], help="source files or folders (default: data)")
    build.add_argument("-o", "--out", default="out", help="output folder (default: out)")
    _store_options(build, "also replace the sources' graphs in this store: oxigraph:DIR or an endpoint URL")
    build.set_defaults(run=_build)

    validate = commands.add_parser(
        "validate",
        help="check sources without writing anything",
        description="Read and validate the sources (SHACL shapes and references); print each problem "
        "as path:line: message.",
        epilog="Example: coopgraph validate data/sources/lstu-2023-09-18.yaml data/registry",
    )
    validate.add_argument("paths", nargs="*", default=["data"], help="source files or folders (default: data)")
    _store_options(validate, "also check the sources against what this store holds about the entities they name, "
                   "as 'load' would: oxigraph:DIR or an endpoint URL")
    validate.set_defaults(run=_validate)
    _identity_commands(commands)
    _extract_command(commands)
    _network_commands(commands)
    _query_commands(commands)
    _publish_commands(commands)
    _serve_command(commands)
    _store_commands(commands)
    return parser


_STORE_HELP = "where the graph is: memory (default: built from the sources), oxigraph:DIR, or a SPARQL endpoint URL"


def _store_options(command: argparse.ArgumentParser, help: str = _STORE_HELP) -> None:
    group = command.add_argument_group("store")
    group.add_argument("--store", metavar="SPEC", help=f"{help} (default: ${STORE_ENV}, else memory)")
    group.add_argument("--update-url", metavar="URL", help="the SPARQL Update URL, if elsewhere than its layout says")
    group.add_argument("--gsp-url", metavar="URL", help="the Graph Store Protocol URL, if elsewhere than its layout says")


@contextlib.contextmanager
def _opened(args: argparse.Namespace, sources: list[str] | None = None):
    """The store the options name, open (closed afterwards): the memory store is built from ``sources``
    (default: the command's paths) when first read."""
    from coopgraph.stores import open_store

    if sources is None:
        sources = getattr(args, "paths", None) or ["data"]
    with open_store(getattr(args, "store", None), sources=sources, update_url=getattr(args, "update_url", None),
                    gsp_url=getattr(args, "gsp_url", None)) as store:
        yield store


def _is_memory(args: argparse.Namespace) -> bool:
    return parse_spec(getattr(args, "store", None)).kind == "memory"


def _store_commands(commands: argparse._SubParsersAction) -> None:
    load = commands.add_parser(
        "load", help="validate sources and put them into a store (Oxigraph on disk, or a SPARQL endpoint)",
        description="Read and validate the sources (against what the store already holds about the entities they "
        "name), then replace the named graph of each source in the store; other graphs stay as they were, and "
        "the derived cooperation graph is computed anew. N-Quads and TriG files (dumps, 'coopgraph synth "
        "--format nq') are loaded as they are, checked for syntax only. All or nothing: a bad file, invalid "
        "data or a store that fails midway leave the store as it was.",
        epilog="Example: coopgraph load data --store oxigraph:out/store",
    )
    load.add_argument("paths", nargs="*", default=["data"], help="source files or folders (default: data)")
    load.add_argument("--no-validate", action="store_true",
                      help="skip shapes and references (N-Triples and Turtle are then loaded as they are, too)")
    load.add_argument("--root", metavar="DIR",
                      help="folder that file names in the provenance are relative to (default: the first folder given; "
                      "give the data folder when reloading one source)")
    _store_options(load, "the store to write: oxigraph:DIR or an endpoint URL")
    load.set_defaults(run=_load)

    synth = commands.add_parser(
        "synth", help="write a synthetic cooperation graph of a given size (for tests and benchmarks)",
        description="Generate institutions in countries and cities, people and their posts, visits with "
        "delegations, agreements, joint programmes and mobility, with power-law numbers of partners, over the "
        "years 1995-2025 — deterministic for a seed. yaml writes the authoring format (registry/ and sources/, "
        "what 'coopgraph build' validates); nq streams N-Quads (one named graph per source, as 'coopgraph load' "
        "stores them); nt streams the same triples without graphs.",
        epilog="Example: coopgraph synth --triples 1000000 --seed 1 --format nq -o out/synth-1m",
    )
    synth.add_argument("--triples", type=int, required=True, metavar="N", help="about how many triples to write")
    synth.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default: 1)")
    synth.add_argument("-o", "--out", required=True, metavar="DIR", help="output folder")
    synth.add_argument("--format", choices=("yaml", "nq", "nt"), default="yaml", help="yaml (default), nq or nt")
    synth.set_defaults(run=_synth)


def _load(args: argparse.Namespace) -> int:
    from coopgraph import pipeline

    if _is_memory(args):
        raise CoopgraphError(f"the memory store keeps nothing after the command — give --store oxigraph:DIR or "
                             f"a SPARQL endpoint URL (or set ${STORE_ENV})")
    with _opened(args) as store:
        report = pipeline.load(args.paths, store=store, validate=not args.no_validate, root=args.root)
    print(f"store {report.spec}")
    print("\n".join(report.lines()))
    return 0


def _synth(args: argparse.Namespace) -> int:
    from coopgraph import synth

    if args.triples < 1:
        raise CoopgraphError("--triples must be 1 or more")
    report = synth.write(args.out, triples=args.triples, seed=args.seed, format=args.format)
    print("\n".join(report.lines()))
    return 0


def _publish_commands(commands: argparse._SubParsersAction) -> None:
    dump = commands.add_parser(
        "export", help="write the dataset as Turtle, TriG, N-Triples, N-Quads, JSON-LD or RDF/XML",
        description="Build and validate the sources, then write them in one RDF format: turtle, nt and xml hold "
        "the union of the graphs; trig, nq and jsonld one named graph per source. The same data gives the same "
        "bytes: N-Triples and N-Quads are sorted lines; JSON-LD is compacted with the context of the YAML sources "
        "(ontology/context.jsonld, inlined), so ids, keys and names read as they do there.",
        epilog="Example: coopgraph export data --format jsonld -o out/coop.jsonld",
    )
    dump.add_argument("paths", nargs="*", default=["data"], help="source files or folders (default: data)")
    dump.add_argument("-f", "--format", choices=choices.RDF_FORMATS,
                      help="RDF format (default: from the suffix of -o, else turtle)")
    dump.add_argument("-o", "--out", metavar="FILE", help="the file to write (default: standard output)")
    dump.add_argument("--describe", action="store_true",
                      help="add the VoID/DCAT description of the data as the graph .../graph/void")
    _store_options(dump, "export what this store holds instead of the sources: oxigraph:DIR or an endpoint URL")
    dump.set_defaults(run=_export)

    documentation = commands.add_parser(
        "docs", help="write the HTML documentation of the ontology",
        description="Write OUT/index.html — every class, property, datatype and concept scheme of "
        "ontology/coop.ttl with English and Russian labels and definitions, its key in the YAML sources, "
        "domains, ranges, alignments to standard vocabularies, and an example from the data — beside copies "
        "of coop.ttl and context.jsonld. One self-contained page: no scripts, nothing fetched.",
        epilog="Example: coopgraph docs data -o out/ontology",
    )
    documentation.add_argument("paths", nargs="*", default=["data"],
                               help="sources to draw examples from (default: data)")
    documentation.add_argument("-o", "--out", default="out/ontology", help="output folder (default: out/ontology)")
    documentation.add_argument("--no-examples", action="store_true", help="leave out the examples from the data")
    _store_options(documentation, "draw the examples from this store instead of the sources: oxigraph:DIR or an endpoint URL")
    documentation.set_defaults(run=_docs)


def _docs(args: argparse.Namespace) -> int:
    from coopgraph import docs

    with _opened(args) as store:
        written = docs.write_docs(args.out, store=None if args.no_examples else store)
    for path in written:
        print(f"wrote {path}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from coopgraph import export, pipeline

    fmt = args.format or (export.format_of(args.out) if args.out else "turtle")
    with _opened(args) as store:
        data = pipeline.dump(store, format=fmt, with_description=args.describe)
    if args.out:
        _write({Path(args.out): data})
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _slice_options(command: argparse.ArgumentParser, *, focus: bool = True) -> None:
    command.add_argument("paths", nargs="*", default=["data"], help="source files or folders (default: data)")
    command.add_argument("--since", type=int, metavar="YEAR", help="keep cooperation from this year on")
    command.add_argument("--until", type=int, metavar="YEAR", help="keep cooperation up to this year")
    _store_options(command)
    if focus:
        command.add_argument("--view", choices=choices.VIEWS, default="institutions",
                             help="institutions (the cooperation network, default) or full (every entity)")
        command.add_argument("--focus", metavar="ID", help="only this institution (id, IRI or name) and its neighbours")
        command.add_argument("--depth", type=int, default=1, metavar="N", help="links from --focus to keep (default: 1)")


def _network_commands(commands: argparse._SubParsersAction) -> None:
    stats = commands.add_parser(
        "stats", help="print network statistics of the institution network",
        description="Rank institutions by weighted degree and betweenness; list communities, the links "
        "between them, bridges, and cooperation by country pair.",
        epilog="Example: coopgraph stats --since 2020 --format json",
    )
    _slice_options(stats, focus=False)
    stats.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    stats.add_argument("--top", type=int, default=20, metavar="N", help="institutions to rank (default: 20)")
    stats.set_defaults(run=_stats)

    viz = commands.add_parser(
        "viz", help="write the network as one self-contained interactive HTML file",
        description="Write one HTML file that works offline: colours by country or kind, a legend, search, "
        "filters, tooltips with names in every language, years and sources.",
        epilog="Example: coopgraph viz -o out/lstu.html --focus lstu --depth 2 --color-by kind",
    )
    _slice_options(viz)
    viz.add_argument("-o", "--out", default="out/graph.html", help="the HTML file (default: out/graph.html)")
    viz.add_argument("--color-by", choices=("country", "kind"),
                     help="colour nodes by country or kind (default: country; kind for the full view)")
    viz.set_defaults(run=_viz)

    export_network = commands.add_parser(
        "network", help="export a network view as GraphML, GEXF or CSV",
        description="Export a view for network tools (Gephi, Cytoscape, igraph). Lists are joined with '; ', "
        "dicts (names per language) written as JSON. CSV writes PATH-nodes.csv and PATH-edges.csv.",
        epilog="Example: coopgraph network --view institutions --format gexf -o out/institutions.gexf",
    )
    _slice_options(export_network)
    export_network.add_argument("--format", choices=choices.NETWORK_FORMATS, help="file format (default: from the suffix of -o)")
    export_network.add_argument("-o", "--out", required=True, metavar="PATH", help="the file to write")
    export_network.set_defaults(run=_network)

    draw = commands.add_parser(
        "timeline", help="draw cooperation events per year and kind (PNG, SVG)",
        description="Draw visits, agreements signed, programmes and mobility started per year as a stacked "
        "bar chart; planned events are hatched. The same data gives the same bytes.",
        epilog="Example: coopgraph timeline -o out/timeline.svg",
    )
    draw.add_argument("paths", nargs="*", default=["data"], help="source files or folders (default: data)")
    draw.add_argument("-o", "--out", default="out/timeline.png",
                      help="a .png or .svg file, or a name without suffix for both (default: out/timeline.png)")
    _store_options(draw)
    draw.set_defaults(run=_timeline)


def _query_commands(commands: argparse._SubParsersAction) -> None:
    query = commands.add_parser(
        "query", help="run a named query of the library, a .rq file, or SPARQL text",
        description="Build the graph from the sources (rules included) and run a query on the union of its "
        "graphs. Parameters are bound as RDF terms, never pasted into the text. An institution is given by "
        "its id (lstu) or IRI; find the id with the find-institution query. The table cuts long cells: use "
        "--format csv or json for every character.",
        epilog="Example: coopgraph query partners --param institution=lstu --format csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = query.add_mutually_exclusive_group(required=True)
    which.add_argument("query", nargs="?", metavar="NAME|FILE.rq",
                       help="a query of the library (see 'coopgraph queries') or a .rq file")
    which.add_argument("-e", "--sparql", metavar="SPARQL", help="run this SPARQL text")
    query.add_argument("-p", "--param", action="append", type=_param, default=[], metavar="NAME=VALUE",
                       help="a parameter of the query (repeatable)")
    query.add_argument("-f", "--format", choices=choices.RESULT_FORMATS, default="table",
                       help="table (default); json, xml, csv, tsv (SPARQL results); turtle, jsonld (CONSTRUCT, DESCRIBE)")
    query.add_argument("--data", action="append", metavar="PATH",
                       help="a source file or folder (repeatable; default: data)")
    query.add_argument("--allow-service", action="store_true",
                       help="let the query call other SPARQL endpoints (SERVICE); refused otherwise: no network request "
                       "is made unless asked")
    _store_options(query, "run on this store instead of the sources: oxigraph:DIR or an endpoint URL")
    query.set_defaults(run=_query)

    listing = commands.add_parser(
        "queries", help="list the query library with summaries and parameters",
        description="List the named queries in queries/*.rq: what each answers and the parameters it takes.",
        epilog="Example: coopgraph queries",
    )
    listing.set_defaults(run=_queries)


def _byte_size(text: str) -> int:
    from coopgraph.sources import guard  # imported when the option is given: the parser starts at once

    try:
        return guard.byte_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _param(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME=VALUE (e.g. institution=lstu)")
    return name.strip(), value


def _query(args: argparse.Namespace) -> int:
    from coopgraph import queries

    query = queries.parse_query(args.sparql) if args.sparql is not None else args.query
    with _opened(args, sources=args.data or ["data"]) as store:
        output = queries.query_sources(query, store=store, params=dict(args.param), fmt=args.format,
                                       note=lambda text: print(text, file=sys.stderr), allow_service=args.allow_service)
    if isinstance(output, bytes):
        sys.stdout.buffer.write(output if output.endswith(b"\n") else output + b"\n")
        sys.stdout.flush()
    else:
        sys.stdout.write(output)
    return 0


def _queries(args: argparse.Namespace) -> int:
    from coopgraph import queries

    sys.stdout.write(queries.library_listing())
    return 0


def _build(args: argparse.Namespace) -> int:
    from coopgraph import pipeline

    with _opened(args) as store:
        summary = pipeline.build(args.paths, out=args.out, store=None if _is_memory(args) else store)
    for warning in summary.warnings:
        print(warning, file=sys.stderr)
    print("\n".join(summary.lines()))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from coopgraph import pipeline

    with _opened(args) as store:
        summary = pipeline.check(args.paths, store=None if _is_memory(args) else store)
    for warning in summary.warnings:
        print(warning, file=sys.stderr)
    print("\n".join(summary.lines()))
    return 0


def _identity_commands(commands: argparse._SubParsersAction) -> None:
    importer = commands.add_parser(
        "import", help="merge ROR records into the registry; check third-party RDF",
        description="Bring institutions in from outside: 'import ror' merges ROR records into the registry, "
        "'import rdf' checks third-party RDF before it is trusted.",
        epilog="Example: coopgraph import ror ../shared/data/ror",
    )
    kinds = importer.add_subparsers(dest="kind", metavar="KIND", required=True)
    ror = kinds.add_parser(
        "ror", help="merge ROR records (JSON, schema v1 or v2) into the institutions and places registries",
        description="Match each record to a registry entry by its ROR id (never by name) and add what the entry "
        "lacks: names per language, acronyms, GRID, ISNI, Wikidata, founding year, city, relationships. A new "
        "record becomes a new entry; a withdrawn one is folded into its successor; of several versions of one "
        "record the newest release is used. Curated values are kept: a record that disagrees is reported as "
        "path:line with both values. Re-importing the same records changes nothing.",
        epilog="Example: coopgraph import ror ../shared/data/ror/03awzbc87__v1.54.json --dry-run",
    )
    ror.add_argument("paths", nargs="+", metavar="FILE|DIR", help="ROR .json files, or folders of them")
    ror.add_argument("--registry", default="data/registry/institutions.yaml",
                     help="the institutions registry (default: data/registry/institutions.yaml)")
    ror.add_argument("--places", help="the places registry (default: places.yaml beside --registry)")
    ror.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    ror.set_defaults(run=_import_ror)
    rdf = kinds.add_parser(
        "rdf", help="check third-party RDF about institutions (writes nothing)",
        description="Report, as path:line, what is wrong in RDF that parses: malformed language tags, identifiers "
        "that are not valid ROR/GRID/ISNI/Wikidata forms, sameAs to pages that are not identifiers, https "
        "schema.org terms, and what contradicts or leaves out the registry. Nothing is merged: import the ROR "
        "records themselves with 'coopgraph import ror'. Exit 1 when anything is reported. The files are not "
        "trusted: nothing outside them is fetched (a remote JSON-LD @context is refused), and a file larger than "
        "--max-size, nested too deep, or with XML entities that could expand without bound is refused unread.",
        epilog="Example: coopgraph import rdf ../shared/data/ror/third_party_rdf",
    )
    rdf.add_argument("paths", nargs="+", metavar="FILE|DIR", help="RDF files (.ttl, .nt, .jsonld, .rdf) or folders")
    rdf.add_argument("--registry", default="data/registry", help="registry folder to compare with (default: data/registry)")
    rdf.add_argument("--max-size", type=_byte_size, metavar="SIZE",
                     help="the largest file read, e.g. 64M (default: 16M, or $COOPGRAPH_MAX_RDF_SIZE)")
    rdf.add_argument("--strict", action="store_true",
                     help="kept for old scripts: anything reported exits with 1 anyway")
    rdf.set_defaults(run=_import_rdf)

    resolve = commands.add_parser(
        "resolve", help="say which institution a name, acronym, ROR or Wikidata id denotes",
        description="Resolve each mention against the institutions of the data (or a store): id, IRI, ROR id or URL, "
        "Wikidata id, acronym "
        "(exactly), or any name or alias in any language, Russian inflection included. An ambiguous or unknown "
        "mention is an error that lists the candidates or the closest names.",
        epilog="Example: coopgraph resolve 'Липецкого Политеха' 00s6tnr74 NEU",
    )
    resolve.add_argument("mentions", nargs="+", metavar="MENTION")
    resolve.add_argument("--data", "--registry", action="append", metavar="PATH",
                         help="a source file or folder the institutions are read from (repeatable; default: data)")
    _store_options(resolve, "resolve against the institutions this store holds: oxigraph:DIR or an endpoint URL")
    resolve.set_defaults(run=_resolve)


def _import_ror(args: argparse.Namespace) -> int:
    from coopgraph.sources import registry

    report = registry.import_ror(args.paths, registry=args.registry, places=args.places, write=not args.dry_run)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print("\n".join(report.lines()))
    return 0


def _import_rdf(args: argparse.Namespace) -> int:
    from pathlib import Path

    from rdflib import Graph

    from coopgraph.sources import rdfcheck, read_source, source_files

    known = Graph()
    if Path(args.registry).is_dir():
        for path in source_files([args.registry]):
            for triple in read_source(path).graph:
                known.add(triple)
    warnings = rdfcheck.check_rdf_files(args.paths, registry=known if len(known) else None, max_bytes=args.max_size)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{len(warnings)} problems found; nothing written")
    return 1 if warnings else 0


def _resolve(args: argparse.Namespace) -> int:
    from coopgraph import resolve

    with _opened(args, sources=args.data or ["data"]) as store:
        for mention in args.mentions:
            iri = resolve.institution(store, mention)
            print(f"{mention}\t{resolve.resolver(store).candidates(str(iri))[0].describe()}")
    return 0


def _extract_command(commands: argparse._SubParsersAction) -> None:
    extract = commands.add_parser(
        "extract", help="draft a source file (YAML) from a news article, for review",
        description="Read a news article (UTF-8 text: title on the first line, then its date line) in Russian or "
        "English and write a draft source file: the article's metadata and candidate facts (institutions resolved "
        "through the registry, people and posts, visits, meetings, conferences, agreements, programmes, mobility, "
        "topics), each with its quote, its character offsets and a confidence in comments. Facts below the threshold "
        "are written as comments; institutions the registry lacks are 'unresolved-...' ids that fail validation on the "
        "line to fix. With --evaluate, compare the draft with a curated file and print precision and recall per kind "
        "of fact.",
        epilog="Example: coopgraph extract data/articles/lstu-2023-09-18.ru.txt -o draft.yaml\n"
        "         coopgraph extract --evaluate data/sources/lstu-2023-09-18.yaml data/articles/lstu-2023-09-18.ru.txt",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    extract.add_argument("article", metavar="ARTICLE.txt", help="the news article, UTF-8 plain text")
    extract.add_argument("--lang", choices=("auto", "ru", "en"), default="auto", help="language (default: auto)")
    extract.add_argument("-o", "--out", metavar="DRAFT.yaml", help="write the draft here (default: print it)")
    extract.add_argument("--registry", default="data/registry", help="registry folder (default: data/registry)")
    extract.add_argument("--threshold", type=float, default=0.5, metavar="P",
                         help="facts below this confidence become comments (default: 0.5)")
    extract.add_argument("--evaluate", metavar="GOLD.yaml",
                         help="compare the draft with this curated file; print precision and recall per kind")
    extract.set_defaults(run=_extract)


def _extract(args: argparse.Namespace) -> int:
    from coopgraph import extract

    options = {"lang": args.lang, "registry": args.registry, "threshold": args.threshold}
    if args.evaluate:
        draft, evaluation = extract.evaluate_article(args.evaluate, args.article, **options)
    else:
        draft, evaluation = extract.extract_article(args.article, **options), None
    for warning in draft.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.out:
        extract.write_draft(draft, args.out)
        print(f"wrote {args.out}", file=sys.stderr)
    if evaluation is not None:
        print("\n".join(evaluation.lines()))
    elif not args.out:
        sys.stdout.write(draft.yaml())
    print(draft.summary(), file=sys.stderr)
    return 0


def _more_than_zero(kind: type):
    def read(text: str) -> float | int:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a {'whole ' if kind is int else ''}number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text} must be more than 0")
        return value

    return read


def _serve_command(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve", help="run a SPARQL 1.1 endpoint with a query editor, the query library and the network page",
        description="Serve the graph over HTTP: the SPARQL 1.1 Protocol at /sparql (GET or POST; JSON, XML, CSV, "
        "TSV, Turtle, N-Triples, JSON-LD; a service description), the named queries at /queries/NAME?param=value, "
        "a query editor (YASGUI) at / and the institution network at /graph. Read-only unless --allow-update: "
        "SPARQL Update, LOAD and SERVICE are refused; every query is stopped after --timeout seconds (503) and "
        "answers hold at most --max-results rows (413). Ctrl-C stops the server.",
        epilog="Example: coopgraph serve --port 8000\n"
        "         curl -H 'Accept: text/csv' 'http://127.0.0.1:8000/queries/partners?institution=lstu'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _store_options(serve, "memory (build --data), oxigraph:DIR or an http(s):// SPARQL endpoint to put this server "
                   "in front of")
    serve.add_argument("--data", action="append", metavar="PATH",
                       help="a source file or folder for the memory store (repeatable; default: data)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0: any free port)")
    serve.add_argument("--timeout", type=_more_than_zero(float), default=30.0, metavar="SECONDS",
                       help="stop a query after this long (default: 30)")
    serve.add_argument("--max-results", type=_more_than_zero(int), default=100_000, metavar="N",
                       help="most rows (or triples) an answer may hold (default: 100000)")
    serve.add_argument("--max-body", type=_more_than_zero(int), default=1_000_000, metavar="BYTES",
                       help="largest request body accepted (default: 1000000)")
    serve.add_argument("--workers", type=_more_than_zero(int), metavar="N",
                       help="queries that run at once, each in a process of its own (default: CPUs, at least 2)")
    serve.add_argument("--cache-mb", type=float, default=256, metavar="MB",
                       help="megabytes of complete answers kept and given again to the same request, until an update "
                       "changes the store (default: 256; 0: none; never for a remote endpoint)")
    serve.add_argument("--max-answer-mb", type=_more_than_zero(float), default=128, metavar="MB",
                       help="largest answer, in megabytes (default: 128; 413 beyond)")
    def megabytes_or_zero(text: str) -> int:
        if not text.isdigit():
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of megabytes (0: no cap)")
        return int(text)

    serve.add_argument("--worker-memory-mb", type=megabytes_or_zero, metavar="MB",
                       help="memory each query worker may use; a query that needs more gets 503 and the worker is "
                       "replaced (default: half the machine's memory shared among the workers, at least 1024; 0: no cap)")
    serve.add_argument("--max-connections", type=_more_than_zero(int), default=64, metavar="N",
                       help="requests answered at once (default: 64; 503 beyond)")
    serve.add_argument("--max-idle", type=_more_than_zero(int), default=256, metavar="N",
                       help="connections kept open while waiting for a request; when all are taken, a new connection "
                       "closes the one that has waited longest (default: 256)")
    serve.add_argument("--header-timeout", type=_more_than_zero(float), default=5.0, metavar="SECONDS",
                       help="time a request's line and headers may take to arrive (default: 5; a body gets a second "
                       "more per 64 kB; 408 beyond)")
    serve.add_argument("--idle-timeout", type=_more_than_zero(float), default=5.0, metavar="SECONDS",
                       help="close a kept-alive connection when no new request starts within this long (default: 5)")
    serve.add_argument("--allow-update", action="store_true", help="accept SPARQL Update (LOAD and SERVICE stay refused)")
    serve.add_argument("--allow-host", action="append", metavar="NAME",
                       help="a name of this server (repeatable): an update is only taken when sent to localhost, the "
                       "--host address, an IP address or such a name, and from a page of this server (DNS rebinding)")
    serve.add_argument("--quiet", action="store_true", help="do not log each request on stderr")
    serve.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    from coopgraph import server

    if args.data and not _is_memory(args):
        print(f"warning: --data is read only for the memory store; serving {parse_spec(args.store)} as it is",
              file=sys.stderr)
    server.serve(store=args.store, data=args.data or ["data"], host=args.host, port=args.port, timeout=args.timeout,
                 max_results=args.max_results, max_body=args.max_body, workers=args.workers, cache_mb=args.cache_mb,
                 allow_update=args.allow_update, update_url=args.update_url, log=None if args.quiet else sys.stderr,
                 max_answer_mb=args.max_answer_mb, worker_memory_mb=args.worker_memory_mb,
                 max_connections=args.max_connections, max_idle=args.max_idle, header_timeout=args.header_timeout,
                 idle_timeout=args.idle_timeout, allow_hosts=args.allow_host or ())
    return 0


def _view(args: argparse.Namespace, store):
    from coopgraph import network

    return network.view(store, view=args.view, focus=args.focus, depth=args.depth, since=args.since, until=args.until)


def _write(files: dict) -> None:
    from coopgraph import export

    for folder in dict.fromkeys(path.parent for path in files):
        named = {p.name: (lambda data=data: data) for p, data in files.items() if p.parent == folder}
        for path in export.write_files(folder, named):
            print(f"wrote {path}")


def _stats(args: argparse.Namespace) -> int:
    from coopgraph import analysis, network

    with _opened(args) as store:
        G = network.institution_network(store, since=args.since, until=args.until)
    report = analysis.stats(G, top=args.top)
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if args.format == "json" else "\n".join(report.lines()))
    return 0


def _viz(args: argparse.Namespace) -> int:
    from coopgraph import render

    with _opened(args) as store:
        G = _view(args, store)
    color_by = args.color_by or ("kind" if args.view == "full" else "country")
    title = f"coopgraph: {'the full graph' if args.view == 'full' else 'institution network'}"
    if args.focus:
        title += f" around {G.nodes[G.graph['focus']].get('label', args.focus)}"
    path = render.render_html(G, args.out, title=title, color_by=color_by)
    print(f"wrote {path} ({G.number_of_nodes()} nodes, {render.drawn_edges(G)} edges)")  # as the page counts them
    return 0


def _network(args: argparse.Namespace) -> int:
    from coopgraph import network

    with _opened(args) as store:
        G = _view(args, store)
    _write(network.export_files(G, args.out, format=args.format))
    return 0


def _timeline(args: argparse.Namespace) -> int:
    from coopgraph import timeline

    with _opened(args) as store:
        files = timeline.timeline_files(store, args.out)
    _write(files)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    since, until = getattr(args, "since", None), getattr(args, "until", None)
    if since is not None and until is not None and since > until:
        parser.error(f"--since {since} is after --until {until}")
    if getattr(args, "depth", 0) < 0:
        parser.error("--depth must be 0 or more")
    try:
        return args.run(args)
    except ValidationError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except CoopgraphError as exc:
        print(f"coopgraph: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader left (| head): stop quietly, as other tools do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
        return 141


if __name__ == "__main__":
    sys.exit(main())
