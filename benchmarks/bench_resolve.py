"""Benchmark name resolution: which way of ignoring Russian inflection is right, and what it costs.

Run ``python benchmarks/bench_resolve.py``. Prints a table; not a test. Three ways of comparing a word:

- ``exact``: case and punctuation only;
- ``snowball``: the Snowball Russian stemmer (``pip install snowballstemmer``; skipped when missing);
- ``pymorphy3``: every dictionary form pymorphy3 gives the word (what coopgraph uses).

Each resolves the shipped registry's institutions from mentions written by hand: every case of each
Russian name (six cases, both numbers where used), and names that must NOT resolve (other institutions
whose names differ by one word). A right answer is the expected id, or an UnknownInstitution for the
negatives; a wrong id is a false merge, the worst outcome.
"""

from __future__ import annotations

import time
from pathlib import Path

from coopgraph import resolve
from coopgraph.resolve import AmbiguousInstitution, UnknownInstitution
from coopgraph.sources.registry import load_resolver

REGISTRY = Path(__file__).resolve().parents[1] / "data" / "registry"

POSITIVE = {
    "lstu": [
        "Липецкий государственный технический университет", "Липецкого государственного технического университета",
        "Липецкому государственному техническому университету", "Липецким государственным техническим университетом",
        "Липецком государственном техническом университете", "Липецкий Политех", "Липецкого Политеха",
        "Липецкому Политеху", "Липецким Политехом", "Липецком Политехе", "ЛИПЕЦКОГО ПОЛИТЕХА", "ЛГТУ", "LSTU",
        "Lipeck State Technical University",
    ],
    "ustl": [
        "Ляонинский университет науки и технологии", "Ляонинского университета науки и технологии",
        "Ляонинскому университету науки и технологии", "Ляонинским университетом науки и технологии",
        "Ляонинском университете науки и технологии", "ЛУНТ", "USTL", "University of Science and Technology Liaoning",
    ],
    "sut": [
        "Шэньянский технологический университет", "Шэньянского технологического университета",
        "Шэньянскому технологическому университету", "Шэньянским технологическим университетом",
        "Шэньянском технологическом университете", "SUT", "Shenyang University of Technology",
    ],
    "neu-shenyang": [
        "Северо-Восточный университет", "Северо-Восточного университета", "Северо-восточному университету",
        "Северо-восточным университетом", "Северо-восточном университете", "Northeastern University", "NEU",
    ],
}
NEGATIVE = [
    "Ляонинский институт науки и технологии",  # Liaoning Institute of Science and Technology, not USTL
    "Ляонинский технический университет",  # Liaoning Technical University
    "Шэньянский университет",  # Shenyang University
    "Шэньянский архитектурный университет",
    "Северо-Восточный федеральный университет",  # Yakutsk
    "Липецкий государственный педагогический университет",
    "Липецкий государственный технический колледж",
    "Липецкая область",
    "Технологический университет",
    "ЛГТУУ",
    "LSTUS",
]

#: Word pairs (as found in names, dictionary form): inflections that must match, different words that must not.
SAME_WORD = [
    ("Политеха", "Политех"), ("Шэньянским", "Шэньянский"), ("технологии", "технология"), ("университете", "университет"),
    ("науки", "наука"), ("путей", "путь"), ("сообщения", "сообщение"), ("дружбы", "дружба"), ("народов", "народ"),
    ("Орла", "Орёл"), ("Льва", "Лев"), ("Петра", "Пётр"), ("Ханты-Мансийска", "Ханты-Мансийск"), ("Нефти", "Нефть"),
]
OTHER_WORD = [
    ("технический", "технологический"), ("институт", "университет"), ("педагогический", "политехнический"),
    ("государственный", "государство"), ("Сибирский", "Сибирь"), ("нефтяной", "нефти"), ("морской", "море"),
    ("стали", "стать"), ("горный", "город"), ("медицинский", "медицина"),
]


def _words_table(name: str, forms) -> tuple[str, int, int]:
    def key(word: str) -> frozenset[str]:
        parts = resolve._words(word)
        return frozenset.union(*(forms(w) for w in parts)) if parts else frozenset()

    same = sum(bool(key(a) & key(b)) for a, b in SAME_WORD)
    merged = sum(bool(key(a) & key(b)) for a, b in OTHER_WORD)
    return name, same, merged


def _snowball():
    try:
        import snowballstemmer
    except ImportError:
        return None
    stemmer = snowballstemmer.stemmer("russian")

    def forms(word: str) -> frozenset[str]:
        return frozenset({stemmer.stemWord(word)})

    return forms


def _exact(word: str) -> frozenset[str]:
    return frozenset({word})


def run(name: str, forms) -> tuple[str, int, int, int, int, float]:
    original = resolve._forms
    if forms is not None:
        resolve._forms = forms  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        resolver = load_resolver(REGISTRY)
        right = wrong = unknown = 0
        for expected, mentions in POSITIVE.items():
            for mention in mentions:
                try:
                    got = resolver.resolve(mention).id
                except (UnknownInstitution, AmbiguousInstitution):
                    unknown += 1
                    continue
                right += got == expected
                wrong += got != expected
        negatives_ok = 0
        for mention in NEGATIVE:
            try:
                resolver.resolve(mention)
                wrong += 1
            except UnknownInstitution:
                negatives_ok += 1
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        resolve._forms = original
    return name, right, unknown, negatives_ok, wrong, elapsed


def main() -> None:
    positives = sum(len(v) for v in POSITIVE.values())
    rows = [run("exact", _exact)]
    snowball = _snowball()
    if snowball is not None:
        rows.append(run("snowball", snowball))
    rows.append(run("pymorphy3", None))
    print(f"{positives} mentions that must resolve, {len(NEGATIVE)} that must not")
    print(f"{'method':<10} {'resolved':>9} {'unresolved':>10} {'rejected':>9} {'false merges':>13} {'ms (load+all)':>14}")
    for name, right, unknown, negatives_ok, wrong, elapsed in rows:
        print(f"{name:<10} {right:>9} {unknown:>10} {negatives_ok:>9} {wrong:>13} {elapsed:>14.0f}")
    print()
    print(f"word pairs: {len(SAME_WORD)} inflections that must match, {len(OTHER_WORD)} different words that must not")
    print(f"{'method':<10} {'matched':>8} {'merged':>7}")
    methods = [("exact", _exact)] + ([("snowball", snowball)] if snowball else []) + [("pymorphy3", resolve._forms)]
    for name, forms in methods:
        _, same, merged = _words_table(name, forms)
        print(f"{name:<10} {same:>8} {merged:>7}")


if __name__ == "__main__":
    main()
