"""Packaging beyond what pyproject.toml says: the top-level ontology/ and queries/ folders go into a
wheel as ``coopgraph/_shipped/ontology`` and ``coopgraph/_shipped/queries`` (coopgraph.resources
finds them there, or in the checkout for an editable install)."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
SHIPPED = {
    "coopgraph._shipped." + ".".join(folder.parts): folder.as_posix()
    for top in ("ontology", "queries")
    for folder in [Path(top), *sorted(p.relative_to(HERE) for p in (HERE / top).rglob("*") if p.is_dir())]
    if "__pycache__" not in folder.parts
}

setup(
    packages=find_packages("src") + sorted(SHIPPED),
    package_dir={"": "src", **SHIPPED},
    package_data={
        "coopgraph": ["py.typed", "data/*", "server/*.rq", "server/*.ttl", "static/*", "static/yasgui/*",
                      "static/vis-network/*"],
        **{name: ["*.ttl", "*.jsonld", "*.rq", "*.yaml"] for name in SHIPPED},
    },
)
