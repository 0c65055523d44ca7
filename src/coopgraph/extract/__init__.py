"""News text → a draft source file (YAML) for human review: the ``coopgraph extract`` stage.

>>> draft = extract_article("data/articles/lstu-2023-09-18.ru.txt")  # doctest: +SKIP
>>> print(draft.yaml())  # doctest: +SKIP

The draft holds the article's metadata and candidate facts, each with its quote, its evidence offsets and a
confidence (see :mod:`coopgraph.extract.draft` for the layout); :func:`evaluate_article` compares a draft with a
curated file (see :mod:`coopgraph.extract.evaluate` for how facts are matched).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from coopgraph.errors import SourceError
from coopgraph.extract import draft as _draft
from coopgraph.extract.dates import publication_date
from coopgraph.extract.evaluate import Evaluation, evaluate_draft
from coopgraph.extract.facts import Context, build_facts, slug
from coopgraph.extract.gazetteer import Gazetteer, load_gazetteer
from coopgraph.extract.model import Node, Unresolved
from coopgraph.extract.text import LANGUAGES, MAX_CHARS, detect_language, read_article, sentences

__all__ = ["Draft", "extract_article", "extract_text", "write_draft", "evaluate_article", "Evaluation", "THRESHOLD",
           "MAX_CHARS", "load_gazetteer"]

#: Facts below this confidence are written as comments for the reviewer, not as data.
THRESHOLD = 0.5


@dataclass
class Draft:
    """A draft source file: the article's metadata and candidate facts, ready to write as YAML.

    Attributes
    ----------
    path : the article
    lang : its language (``ru``, ``en``)
    source : the source node (title, issued, language, publisher, identifier)
    nodes : candidate facts, in the order they are written
    unresolved : institutions the registry does not resolve, by their ``unresolved-...`` id
    warnings : what the reviewer should know (text cut, language forced...)
    seconds : time spent: ``models`` (loading, once per process), ``extract`` (this article)
    """

    path: Path
    lang: str
    source: Node
    nodes: list[Node]
    unresolved: dict[str, Unresolved] = field(default_factory=dict)
    mentioned: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    threshold: float = THRESHOLD
    seconds: dict[str, float] = field(default_factory=dict)

    def yaml(self) -> str:
        """The draft in the authoring format, with evidence and doubts as comments."""
        header = [
            f"DRAFT extracted by `coopgraph extract` from {self.path.name} ({self.lang}) — review before use.",
            "Every fact quotes its sentence; '# evidence [start, end)' gives its character offsets in the article",
            "and the confidence of the rule that found it. Check each fact against the article, fix or delete it,",
            f"and uncomment what the article supports among the facts below the threshold ({self.threshold:.2f}).",
            "'unresolved-...' ids fail `coopgraph validate` on the line to fix until you write a registry id there.",
        ]
        return _draft.render_yaml(header=header, source=self.source, nodes=self.nodes, unresolved=self.unresolved,
                                  threshold=self.threshold, mentioned=self.mentioned)

    def summary(self) -> str:
        """One line: facts kept and below the threshold, unresolved institutions, time taken."""
        kept, low = len(self.facts()), len(self.facts(kept=False))
        models = f", models loaded in {self.seconds['models']:.2f} s" if "models" in self.seconds else ""
        return (f"{self.path}: {kept} facts, {low} below the threshold, {len(self.unresolved)} unresolved "
                f"institutions ({self.lang}); extracted in {self.seconds.get('extract', 0):.2f} s{models}")

    def facts(self, *, kept: bool = True) -> list[Node]:
        """The candidate facts at or above the threshold (``kept``), or those below it."""
        return [n for n in self.nodes if (n.confidence >= self.threshold) == kept]


def _analyzer(lang: str):
    if lang == "ru":
        from coopgraph.extract import ru

        return ru
    from coopgraph.extract import en

    return en


def extract_article(path: str | Path, *, lang: str = "auto", registry: str | Path = "data/registry",
                    gazetteer: Gazetteer | None = None, threshold: float = THRESHOLD,
                    max_chars: int = MAX_CHARS) -> Draft:
    """Read a news article (plain text) and draft the source file that states its facts.

    Parameters
    ----------
    path : the article, UTF-8 plain text: title on the first line, then a line with the publication date
    lang : ``auto`` (tell from the text), ``ru`` or ``en``
    registry : the registry folder (institutions, places, topics) that names are resolved against
    gazetteer : a gazetteer already loaded (else read from ``registry``)
    threshold : facts below this confidence are written as comments
    max_chars : read at most this many characters (a warning says so)

    Returns
    -------
    Draft

    Raises
    ------
    SourceError
        for a missing, empty or binary file, or a text in a language other than Russian or English
    """
    path = Path(path)
    text, data, warnings = read_article(path, max_chars=max_chars)
    return extract_text(text, path=path, data=data, lang=lang, registry=registry, gazetteer=gazetteer,
                        threshold=threshold, warnings=warnings)


def extract_text(text: str, *, path: Path, data: bytes | None = None, lang: str = "auto",
                 registry: str | Path = "data/registry", gazetteer: Gazetteer | None = None,
                 threshold: float = THRESHOLD, warnings: list[str] | None = None) -> Draft:
    """The draft of an article already read (see :func:`extract_article`)."""
    warnings = list(warnings or [])
    detected, name = detect_language(text)
    if lang == "auto":
        if detected not in LANGUAGES:
            found = f"looks like {name} ({detected})" if detected != "und" else "is in no language coopgraph can tell"
            raise SourceError(path, None, f"the text {found}; coopgraph extract reads Russian (ru) and English (en) — "
                                          "pass --lang ru or --lang en to try anyway")
        lang = detected
    elif lang not in LANGUAGES:
        raise SourceError(path, None, f"unknown language '{lang}' — use auto, ru or en")
    elif detected != lang and detected != "und":
        warnings.append(f"{path}: the text looks like {name} ({detected}) but was read as {lang} (--lang)")
    lx = _analyzer(lang)
    began = time.perf_counter()
    seconds: dict[str, float] = {}
    if lang == "ru":
        lx.load_models()
        seconds["models"] = lx.LOAD_SECONDS
    gazetteer = gazetteer or load_gazetteer(registry)
    started = time.perf_counter()
    sents = sentences(text)
    lines = [(s.start, s.end, s.text) for s in sents[:8]]
    title = sents[0].text if sents else path.stem
    issued = publication_date(lines, lang)
    skip = {s.index for s in sents if issued and s.start == issued[1]}
    anns = lx.annotate(text, sents, gazetteer, reference=issued[0] if issued else None)
    ctx = Context(text=text, anns=anns, lx=lx, gazetteer=gazetteer, issued=issued[0] if issued else None)
    nodes = build_facts(ctx, title=title, skip=skip)
    source = _source(ctx, path, data if data is not None else text.encode("utf-8"), title, registry)
    mentioned = sorted({h.id for a in anns for h in a.institutions() if not h.id.startswith("unresolved-")})
    seconds["extract"] = time.perf_counter() - started
    seconds["total"] = time.perf_counter() - began
    return Draft(path=path, lang=lang, source=source, nodes=nodes, unresolved=ctx.unresolved, mentioned=mentioned,
                 warnings=warnings, threshold=threshold, seconds=seconds)


def _source(ctx: Context, path: Path, data: bytes, title: str, registry: str | Path) -> Node:
    stem = path.name.split(".")[0]
    ident = f"source-{ctx.publisher or slug(stem)}" + (f"-{ctx.issued[:10]}" if ctx.issued else "")
    if ctx.publisher and ctx.issued is None:
        ident = f"source-{slug(stem)}"
    fields: dict = {"id": ident, "type": "NewsArticle", "title": {ctx.lang: title}}
    node = Node("NewsArticle", fields)
    if ctx.issued:
        fields["issued"] = ctx.issued
    else:
        node.notes.append("no publication date found in the first lines: add 'issued: YYYY-MM-DD' (required)")
    fields["language"] = ctx.lang
    if ctx.publisher:
        fields["publisher"] = ctx.publisher
    fields["identifier"] = "sha256:" + hashlib.sha256(data).hexdigest()
    fields["fileName"] = _file_name(path, Path(registry))
    return node


def _file_name(path: Path, registry: Path) -> str:
    data_folder = registry.resolve().parent
    try:
        return path.resolve().relative_to(data_folder).as_posix()
    except ValueError:
        return path.name


def write_draft(draft: Draft, out: str | Path) -> Path:
    """Write the draft's YAML to ``out`` atomically (a failed write leaves the file as it was)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(draft.yaml())
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return out


def evaluate_article(gold: str | Path, article: str | Path, **options) -> tuple[Draft, Evaluation]:
    """Extract ``article`` and compare its draft with the curated file ``gold``.

    Options are those of :func:`extract_article`. See :mod:`coopgraph.extract.evaluate` for how facts
    are matched.

    Raises
    ------
    SourceError
        for an unusable article, or a curated file that does not read
    """
    draft = extract_article(article, **options)
    return draft, evaluate_draft(gold, draft)
