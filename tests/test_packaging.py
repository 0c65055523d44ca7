"""A wheel (a non-editable install) carries everything coopgraph reads at run time, its licence and the
notices of the third-party code it ships; every third-party module it imports is a declared dependency."""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import networkx as nx

from coopgraph import render

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
STATIC = SRC / "coopgraph" / "static"
VIS = STATIC / "vis-network"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _normalised(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def _reads_package_files(node: ast.AST) -> bool:
    """``resources.files("name")`` or ``files("name")``: reading another package's files needs it too."""
    if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
        return False
    called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
    return called == "files" and isinstance(node.args[0].value, str)


def _imported_top_level_modules() -> dict[str, set[str]]:
    """Every top-level module an absolute import under src/ names (at any depth, in any function), and the
    packages whose files are read with ``importlib.resources.files("name")``, each with the files that do."""
    found: dict[str, set[str]] = {}
    for source in sorted(SRC.rglob("*.py")):
        where = source.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"), filename=where)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif _reads_package_files(node):
                names = [node.args[0].value]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(where)
    return found


def _third_party_imports() -> dict[str, set[str]]:
    return {module: files for module, files in _imported_top_level_modules().items()
            if module not in sys.stdlib_module_names and module != "coopgraph"}


def _declared_dependencies() -> set[str]:
    return {_normalised(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec).group())
            for spec in PYPROJECT["project"]["dependencies"]}


def test_the_import_walk_sees_imports_inside_functions_and_resource_reads():
    imports = _imported_top_level_modules()
    assert "src/coopgraph/stores/memory.py" in imports["pyparsing"]  # `from pyparsing import ...` inside a method
    assert "src/coopgraph/render.py" in imports["scipy"]  # `from scipy import fft` inside a function
    assert "src/coopgraph/server/web.py" in imports["coopgraph"]  # resources.files("coopgraph")
    assert "json" in imports and "json" not in _third_party_imports()


def test_every_imported_third_party_module_is_a_declared_dependency():
    provided_by = importlib.metadata.packages_distributions()
    declared = _declared_dependencies()
    problems = []
    for module, files in sorted(_third_party_imports().items()):
        distributions = {_normalised(d) for d in provided_by.get(module, [])}
        if not distributions:
            problems.append(f"{module} (imported in {', '.join(sorted(files))}) is provided by no installed distribution")
        elif not distributions & declared:
            problems.append(f"{module} (imported in {', '.join(sorted(files))}) comes from {' or '.join(sorted(distributions))},"
                            " which pyproject.toml's [project].dependencies does not declare")
    assert problems == []


def test_every_declared_dependency_is_imported():
    """A dependency nothing imports is either dead or, like pyvis was, a folder of files read from
    another package's inside: vendor such files with a notice instead."""
    provided_by = importlib.metadata.packages_distributions()
    imported = {_normalised(d) for module in _third_party_imports() for d in provided_by.get(module, [])}
    assert _declared_dependencies() - imported == set()
    assert "pyvis" not in _declared_dependencies()


def test_the_project_has_its_licence():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    assert {"LICENSE", "THIRD_PARTY_NOTICES.md"} <= set(PYPROJECT["project"]["license-files"])


def test_each_folder_of_third_party_code_has_a_notice_with_licence_and_checksums():
    """Every folder under static/ holds vendored code (coopgraph's own page files sit at its top); its
    NOTICE.md names the licence and the sha256 of each file, which must still match."""
    listed = (ROOT / "THIRD_PARTY_NOTICES.md").read_text(encoding="utf-8")
    folders = sorted(p for p in STATIC.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert [p.name for p in folders] == ["vis-network", "yasgui"]
    for folder in folders:
        notice = (folder / "NOTICE.md").read_text(encoding="utf-8")
        assert re.search(r"^- license: .*\b(MIT|Apache-2\.0)\b", notice, re.M), folder.name
        checksums = dict(re.findall(r"`([\w.-]+\.(?:js|css))` ([0-9a-f]{64})", notice))
        code = sorted(p.name for p in folder.iterdir() if p.suffix in (".js", ".css"))
        assert sorted(checksums) == code, folder.name
        for name, digest in checksums.items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, f"{folder.name}/{name}"
        assert f"src/coopgraph/static/{folder.name}/" in listed, f"THIRD_PARTY_NOTICES.md does not list {folder.name}"


def test_the_vendored_vis_network_is_the_version_render_names_with_its_licence_texts():
    notice = (VIS / "NOTICE.md").read_text(encoding="utf-8")
    assert notice.startswith(f"# Vendored: vis-network {render.VIS_VERSION}\n")
    assert f"@version {render.VIS_VERSION}\n" in (VIS / "vis-network.min.js").read_text(encoding="utf-8")
    assert "Apache License" in (VIS / "LICENSE-APACHE-2.0").read_text(encoding="utf-8")
    assert "The MIT License" in (VIS / "LICENSE-MIT").read_text(encoding="utf-8")
    listed = (ROOT / "THIRD_PARTY_NOTICES.md").read_text(encoding="utf-8")
    assert re.search(rf"^\| \[vis-network\].* \| {re.escape(render.VIS_VERSION)} \| Apache-2\.0 OR MIT \|", listed, re.M)


def test_a_rendered_page_inlines_the_vendored_vis_network_under_its_licence_notice():
    G = nx.Graph()
    G.add_node("https://coopgraph.example.org/id/lstu", label="LSTU", kind="University", country="RU")
    page = render.html_document(G)
    notice = f"/*! vis-network {render.VIS_VERSION} | https://github.com/visjs/vis-network | "
    script = (VIS / "vis-network.min.js").read_text(encoding="utf-8")
    style = (VIS / "vis-network.min.css").read_text(encoding="utf-8")
    assert f"<script>{notice}" in page and "License: Apache-2.0 OR MIT */\n" + script + "</script>" in page
    assert f"<style>{notice}" in page and "License: Apache-2.0 OR MIT */\n" + style in page
    assert "pyvis" not in page.lower() and f"vis-{render.VIS_VERSION}/" not in page


def test_the_wheel_carries_the_ontology_the_queries_the_page_assets_and_the_licences(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = tmp_path.glob("coopgraph-*.whl")
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    for top in ("ontology", "queries"):
        shipped = {f"coopgraph/_shipped/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / top).rglob("*")
                   if p.is_file() and p.suffix in (".ttl", ".jsonld", ".rq")}
        assert shipped and not shipped - names, sorted(shipped - names)
    assert "coopgraph/_shipped/queries/rules/cooperation-visits-evidence.rq" in names
    for folder in ("yasgui", "vis-network"):
        vendored = {f"coopgraph/static/{folder}/{p.name}" for p in (STATIC / folder).iterdir()}
        assert "NOTICE.md" in {Path(n).name for n in vendored} and not vendored - names, sorted(vendored - names)
    assert "coopgraph/server/service-description.ttl" in names
    assert not any("__pycache__" in n for n in names)
    info = "coopgraph-0.1.0.dist-info"
    assert archive.read(f"{info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
    assert f"{info}/licenses/THIRD_PARTY_NOTICES.md" in names
    assert f"{info}/licenses/src/coopgraph/static/vis-network/LICENSE-MIT" in names
    metadata = archive.read(f"{info}/METADATA").decode("utf-8")
    assert "License-Expression: Apache-2.0\n" in metadata and "Requires-Dist: pyvis" not in metadata
