"""The documentation agrees with the code: README.md and docs/*.md.

- every command and subcommand of the CLI, and each of its ``--long`` options, has its place in
  docs/cli.md; every query of the library, with each of its parameters, in docs/queries.md;
- the documented examples give the output shown. The convention: a fenced block marked ``console``
  holds ``$ COMMAND`` lines, each followed by what it prints (standard output and standard error as a
  terminal shows them). ``coopgraph ...`` lines run ``coopgraph.cli.main`` in this process; other lines
  (``sed -i ...``, to break a copy) run in bash. Each block runs in a fresh copy of ``data/``. In the
  expected output, a line ``...`` stands for any number of lines; timings (``0.47 s``) may differ, and so
  may the order of the names in a ``"; "``-separated list (the library says they come in no fixed order).
  Blocks marked ``sh`` or ``text`` are shown, not run (a server, a large store, a slow model).
  The README's Python block runs too, and prints the ``text`` block that follows it;
- every relative link (and its ``#anchor``) leads to a file (and a heading) that exists.

(tests/test_docs.py is another thing: the ontology's HTML documentation, ``coopgraph docs``.)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from coopgraph import cli, queries

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
SHARED = ROOT.parent / "shared"  # the team's shared test material, beside the checkout (absent in a clean clone)


# ---------------------------------------------------------------------------------------- reading markdown


@dataclass(frozen=True)
class Block:
    """A fenced code block: its page, the line of its opening fence, its info string and its text."""

    page: Path
    line: int
    lang: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def _blocks(page: Path) -> list[Block]:
    blocks, lang, start, body = [], None, 0, []
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            if lang is None:
                lang, start, body = line[3:].strip(), number, []
            else:
                blocks.append(Block(page, start, lang, "\n".join(body)))
                lang = None
        elif lang is not None:
            body.append(line)
    return blocks


def _prose(text: str) -> str:
    """The text outside fenced blocks and inline code spans."""
    return re.sub(r"`[^`\n]*`", "", re.sub(r"^```.*?^```", "", text, flags=re.M | re.S))


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")


def _sections(text: str) -> dict[str, str]:
    """Heading text (code marks removed) → the text up to the next heading of the same level or above."""
    lines = re.sub(r"^```.*?^```", lambda m: re.sub(r"(?m)^#", " #", m.group(0)), text, flags=re.M | re.S).splitlines()
    raw = text.splitlines()
    heads = [(i, len(m.group(1)), m.group(2).replace("`", "")) for i, line in enumerate(lines) if (m := _HEADING.match(line))]
    sections = {}
    for n, (i, level, title) in enumerate(heads):
        end = next((j for j, lvl, _ in heads[n + 1:] if lvl <= level), len(raw))
        sections[title] = "\n".join(raw[i:end])
    return sections


def _slug(title: str, seen: dict[str, int]) -> str:
    """The anchor GitHub gives a heading."""
    slug = re.sub(r"[^\w\- ]", "", title.replace("`", "").strip().lower()).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return slug if count == 0 else f"{slug}-{count}"


def _anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    return {_slug(m.group(2), seen) for line in text.splitlines() if (m := _HEADING.match(line))}


# ---------------------------------------------------------------------------------------- (a) nothing undocumented


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _commands(sub, (*path, name))


def _long_options(parser: argparse.ArgumentParser) -> list[str]:
    return sorted({s for a in parser._actions for s in a.option_strings if s.startswith("--") and s != "--help"})


def _mentions(text: str, option: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


def undocumented_cli(parser: argparse.ArgumentParser, reference: str) -> list[str]:
    """What the CLI has and the reference does not: a command without a heading ``coopgraph COMMAND``,
    or a ``--long`` option its section does not mention (the program's own options: anywhere)."""
    sections = _sections(reference)
    missing = [f"coopgraph {option}" for option in _long_options(parser) if not _mentions(reference, option)]
    for path, sub in _commands(parser):
        name = "coopgraph " + " ".join(path)
        if name not in sections:
            missing.append(f"{name} (no heading '{name}')")
            continue
        missing += [f"{name} {option}" for option in _long_options(sub) if not _mentions(sections[name], option)]
    return missing


def undocumented_queries(library: list[queries.Query], reference: str) -> list[str]:
    """Queries of the library without a heading of their name in the reference, and parameters their section does not name."""
    sections = _sections(reference)
    missing = []
    for query in library:
        if query.name not in sections:
            missing.append(f"{query.name} (no heading '{query.name}')")
            continue
        missing += [f"{query.name}: parameter {p.name}" for p in query.params if f"`{p.name}`" not in sections[query.name]]
    return missing


def test_every_command_and_option_is_in_the_cli_reference():
    missing = undocumented_cli(cli._parser(), (DOCS / "cli.md").read_text(encoding="utf-8"))
    assert not missing, "docs/cli.md does not document:\n  " + "\n  ".join(missing)


def test_every_library_query_and_parameter_is_in_the_query_reference():
    missing = undocumented_queries(queries.list_queries(), (DOCS / "queries.md").read_text(encoding="utf-8"))
    assert not missing, "docs/queries.md does not document:\n  " + "\n  ".join(missing)


def test_the_checks_name_what_is_missing():
    """Shown a reference that lacks things, the checks list exactly those."""
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    cut = reference.replace("--top", "-t").replace("### `coopgraph import ror`", "### importing ROR records")
    assert undocumented_cli(cli._parser(), cut) == [
        "coopgraph import ror (no heading 'coopgraph import ror')",
        "coopgraph stats --top",
    ]
    reference = (DOCS / "queries.md").read_text(encoding="utf-8")
    cut = reference.replace("### `country-pairs`", "### pairs of countries").replace("| `since` |", "| since |")
    assert undocumented_queries(queries.list_queries(), cut) == [
        "country-pairs (no heading 'country-pairs')",
        "partners: parameter since",
    ]


# ---------------------------------------------------------------------------------------- (b) the examples run


def _console_blocks() -> list[Block]:
    return [block for page in PAGES for block in _blocks(page) if block.lang == "console"]


def _steps(block: Block) -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"{block.where}: a console block starts with a '$ ' line, not {line!r}")
    return steps


_HEAD = re.compile(r"\s*\|\s*head\s+-(?:n\s*)?(\d+)\s*$")


def _coopgraph(command: str, cwd: Path) -> str:
    """Run a ``coopgraph ...`` line in this process, in ``cwd``: what it prints, stdout and stderr as one stream."""
    lines = None
    if head := _HEAD.search(command):
        command, lines = command[: head.start()], int(head.group(1))
    argv = shlex.split(command)[1:]
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    before = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
            try:
                cli.main(argv)
            except SystemExit:  # argparse: a usage error (2) or --help
                pass
    finally:
        os.chdir(before)
    output = stream.buffer.getvalue().decode("utf-8")
    return "".join(output.splitlines(keepends=True)[:lines]) if lines is not None else output


def _shell(command: str, cwd: Path) -> str:
    done = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


_ITEM = r"(?:[^,;\s]|[ ](?! ))+"
#: A cell that is a "; "-separated list (of names): its items come in no fixed order.
_LIST_CELL = re.compile(rf"(?:(?<=^)|(?<=,)|(?<=  ))({_ITEM}(?:; {_ITEM})+)(?=$|,| )")


def _normal(text: str, cwd: Path) -> list[str]:
    """Lines to compare: no temporary folder, timings as ``N s``, the items of "; "-lists sorted."""
    text = text.replace(f"{cwd}/", "")
    text = re.sub(r"\b\d+(?:\.\d+)? s\b", "N s", text)
    lines = [_LIST_CELL.sub(lambda m: "; ".join(sorted(m.group(1).split("; "))), line.rstrip()) for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _matches(expected: list[str], actual: list[str]) -> bool:
    pattern = "".join(r"(?:[^\n]*\n)*?" if line == "..." else re.escape(line) + "\n" for line in expected)
    return re.fullmatch(pattern, "".join(line + "\n" for line in actual)) is not None


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the shipped data to run examples in, with ../shared beside it when the checkout has it."""
    monkeypatch.delenv("COOPGRAPH_STORE", raising=False)
    folder = tmp_path / "project"
    shutil.copytree(ROOT / "data", folder / "data")
    if SHARED.is_dir():
        (tmp_path / "shared").symlink_to(SHARED, target_is_directory=True)
    return folder


@pytest.mark.parametrize("block", _console_blocks(), ids=lambda block: block.where)
def test_documented_example_prints_what_is_shown(block, project):
    steps = _steps(block)
    assert steps, f"{block.where}: a console block without a '$ ' line"
    if "../shared" in block.text and not SHARED.is_dir():
        pytest.skip(f"{block.where} reads ../shared, which is not beside this checkout")
    for command, shown in steps:
        run = _coopgraph if command.startswith("coopgraph ") else _shell
        actual = _normal(run(command, project), project)
        expected = _normal("\n".join(shown), project)
        assert _matches(expected, actual), (
            f"{block.where}: '$ {command}' printed\n" + "\n".join(actual) + "\n--- where the page shows\n" + "\n".join(expected)
        )


def test_at_least_the_examples_the_readme_promises_are_run():
    where = {block.page.name for block in _console_blocks()}
    assert {"README.md", "queries.md", "import.md", "extract.md"} <= where


def test_readme_python_example_prints_what_is_shown(project, capsys):
    blocks = _blocks(README)
    examples = [(block, after) for block, after in zip(blocks, [*blocks[1:], None], strict=True) if block.lang == "python"]
    assert examples, "README.md has no Python example"
    for block, after in examples:
        before = Path.cwd()
        os.chdir(project)
        try:
            exec(compile(block.text, block.where, "exec"), {"__name__": "readme_example"})
        finally:
            os.chdir(before)
        printed = capsys.readouterr().out
        if after is not None and after.lang == "text":
            assert _normal(printed, project) == _normal(after.text, project), f"{block.where} printed\n{printed}"


# ---------------------------------------------------------------------------------------- links


_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def test_every_relative_link_leads_somewhere():
    broken = []
    for page in PAGES:
        for target in _LINK.findall(_prose(page.read_text(encoding="utf-8"))):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):
                continue  # https:, mailto:
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no heading '#{anchor}' in {file.name})")
    assert not broken, "broken links:\n  " + "\n  ".join(broken)
