"""Data flows one way: a module imports only modules earlier in the chain; nothing imports the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "coopgraph"

#: Stages in the order data flows; a module may import its own stage or earlier ones.
STAGES = [
    {"errors", "namespaces", "resources", "sparqltext", "choices", "progress"},
    {"codegen", "ids", "oxterms"},
    {"dataset"},
    {"queryfiles"},
    {"resolve"},
    {"sources"},
    {"synth"},
    {"bulkload"},
    {"derive"},
    {"build"},
    {"validate"},
    {"stores"},  # after the builder: a memory store is built from its sources (stores/__init__.py, open_store)
    {"queries"},
    {"network"},
    {"analysis", "timeline"},
    {"render"},
    {"export", "publish", "docs"},
    {"server", "extract"},
    {"pipeline"},
    {"cli", "__main__"},
]
RANK = {name: i for i, stage in enumerate(STAGES) for name in stage}


def _stage(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else "__init__"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("coopgraph"):
            if node.module == "coopgraph":
                found.update(f"coopgraph.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("coopgraph."))
    return found


def test_every_module_has_a_stage():
    modules = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in PACKAGE.rglob("*.py")}
    modules -= {"__init__", "data"}
    missing = sorted(m for m in modules if m not in RANK)
    assert not missing, f"give these modules a stage in tests/test_layering.py: {missing}"


def test_no_module_reaches_back_into_a_later_stage():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if own == "__init__":
            continue
        for imported in _imports(path):
            stage = _stage(imported)
            if stage in {"__version__", "__init__"}:
                continue
            if RANK.get(stage, -1) > RANK[own]:
                offenders.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert not offenders, "\n".join(offenders)


def test_the_layering_check_catches_a_backward_import(tmp_path: Path):
    bad = tmp_path / "build.py"
    bad.write_text("from coopgraph.cli import main\n", encoding="utf-8")
    assert RANK[_stage(next(iter(_imports(bad))))] > RANK["build"]


#: The modules that may import the builder: itself, the stores' one door to it (``open_store`` builds a
#: memory store from its sources, in ``stores/__init__.py``), validation (it checks a ``Build``: the file
#: and line of each statement), the main job and the command line. Every other stage receives a Store.
MAY_IMPORT_BUILD = {"build.py", "stores/__init__.py", "validate.py", "pipeline.py", "cli.py"}


def _importers_of(stage: str) -> set[str]:
    return {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if any(_stage(imported) == stage for imported in _imports(path))
    }


def test_only_the_stores_door_the_main_job_and_the_cli_import_the_builder():
    importers = _importers_of("build")
    assert "stores/__init__.py" in importers  # the check sees imports inside functions (open_store's)
    assert not importers - MAY_IMPORT_BUILD, f"these modules import coopgraph.build: {sorted(importers - MAY_IMPORT_BUILD)}"


def test_the_builder_check_catches_a_stage_that_builds(tmp_path: Path):
    bad = tmp_path / "network.py"
    bad.write_text("def f():\n    from coopgraph.build import build_dataset\n", encoding="utf-8")
    assert {_stage(m) for m in _imports(bad)} == {"build"}
    assert "network.py" not in MAY_IMPORT_BUILD and "stores/memory.py" not in MAY_IMPORT_BUILD
