"""Benchmark coopgraph extract: model load time, time per article, and quality against curated files.

Run ``python benchmarks/bench_extract.py``. Prints two tables; not a test.

- Time: natasha's models are loaded once per process (a fresh interpreter measures the first import too);
  each article is then extracted three times and the median is printed. ``capped`` is the founding
  article repeated to about 10 MB, of which the first 40,000 characters are read (the bounded run).
- Quality: precision and recall per kind of fact against the curated file of each article (see
  ``coopgraph.extract.evaluate`` for how facts are matched). The founding article's rules were written
  while reading it; the three fixture articles (invented institutions, ``tests/data/extract``) were
  written with their curated files before the extractor first ran on them — their figures are the
  honest ones.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data" / "extract"
CASES = [
    ("founding (ru)", ROOT / "data/articles/lstu-2023-09-18.ru.txt", ROOT / "data/sources/lstu-2023-09-18.yaml",
     ROOT / "data/registry"),
    ("en-volga-almaty", FIXTURES / "en-volga-almaty.en.txt", FIXTURES / "en-volga-almaty.gold.yaml", FIXTURES / "registry"),
    ("en-coastal-sut", FIXTURES / "en-coastal-sut.en.txt", FIXTURES / "en-coastal-sut.gold.yaml", FIXTURES / "registry"),
    ("ru-kamensk-sungari", FIXTURES / "ru-kamensk-sungari.ru.txt", FIXTURES / "ru-kamensk-sungari.gold.yaml",
     FIXTURES / "registry"),
]


def main() -> None:
    began = time.perf_counter()
    from coopgraph.extract import extract_article, load_gazetteer, ru
    from coopgraph.extract.evaluate import KINDS, evaluate_draft

    imported = time.perf_counter() - began
    ru.load_models()
    gazetteers = {}
    for _, _, _, registry in CASES:
        if registry not in gazetteers:
            gazetteers[registry] = load_gazetteer(registry)
    print(f"import coopgraph.extract: {imported:.2f} s; natasha models: {ru.LOAD_SECONDS:.2f} s")
    print()
    with tempfile.TemporaryDirectory() as folder:
        capped = Path(folder) / "capped.ru.txt"
        unit = CASES[0][1].read_text(encoding="utf-8")
        capped.write_text(unit * (10_000_000 // len(unit.encode()) + 1), encoding="utf-8")
        timed = [(name, article, registry) for name, article, _, registry in CASES]
        timed.append(("capped 10 MB (ru)", capped, CASES[0][3]))
        print(f"{'article':<20} {'chars':>8} {'facts':>6} {'median s':>9}")
        for name, article, registry in timed:
            runs = []
            for _ in range(3):
                draft = extract_article(article, registry=registry, gazetteer=gazetteers[registry])
                runs.append(draft.seconds["extract"])
            chars = min(len(article.read_text(encoding="utf-8")), 40_000)
            print(f"{name:<20} {chars:>8} {len(draft.facts()):>6} {statistics.median(runs):>9.3f}")
    print()
    rows = {}
    for name, article, gold, registry in CASES:
        draft = extract_article(article, registry=registry, gazetteer=gazetteers[registry])
        rows[name] = evaluate_draft(gold, draft)
    header = f"{'kind':<14}" + "".join(f" {name[:18]:>18}" for name in rows)
    print("precision / recall (matched of gold)")
    print(header)
    for kind in (*KINDS, "overall"):
        cells = []
        for evaluation in rows.values():
            s = evaluation.score(kind)
            cells.append(f"{s.precision:.2f}/{s.recall:.2f} ({s.matched}/{s.gold})" if s.gold or s.draft else "—")
        print(f"{kind:<14}" + "".join(f" {c:>18}" for c in cells))


if __name__ == "__main__":
    main()
