"""A wheel (a non-editable install) carries everything coopgraph reads at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_the_ontology_the_queries_and_the_page_assets(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = tmp_path.glob("coopgraph-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for top in ("ontology", "queries"):
        shipped = {f"coopgraph/_shipped/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / top).rglob("*")
                   if p.is_file() and p.suffix in (".ttl", ".jsonld", ".rq")}
        assert shipped and not shipped - names, sorted(shipped - names)
    assert "coopgraph/_shipped/queries/rules/cooperation-visits-evidence.rq" in names
    assert "coopgraph/static/yasgui/yasgui.min.js" in names
    assert "coopgraph/server/service-description.ttl" in names
    assert not any("__pycache__" in n for n in names)
