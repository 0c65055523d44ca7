"""The command line: thin — parse, call one library function, print.

Exit codes: 0 ok; 1 bad input or data that does not conform; 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from coopgraph import __version__, pipeline
from coopgraph.errors import CoopgraphError, ValidationError

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
    build.set_defaults(run=_build)

    validate = commands.add_parser(
        "validate",
        help="check sources without writing anything",
        description="Read and validate the sources (SHACL shapes and references); print each problem "
        "as path:line: message.",
        epilog="Example: coopgraph validate data/sources/lstu-2023-09-18.yaml data/registry",
    )
    validate.add_argument("paths", nargs="*", default=["data"], help="source files or folders (default: data)")
    validate.set_defaults(run=_validate)
    return parser


def _build(args: argparse.Namespace) -> int:
    summary = pipeline.build(args.paths, out=args.out)
    print("\n".join(summary.lines()))
    return 0


def _validate(args: argparse.Namespace) -> int:
    summary = pipeline.check(args.paths)
    print("\n".join(summary.lines()))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except ValidationError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except CoopgraphError as exc:
        print(f"coopgraph: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
