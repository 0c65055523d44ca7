"""The article as text: reading it safely, telling its language, and cutting it into sentences with offsets.

Every offset is a character offset into the text as read (UTF-8 decoded, a BOM dropped, line ends kept),
half-open: ``text[start:end]`` is the span. Nothing here knows any language's grammar beyond sentence
punctuation and a few function words used to tell languages apart.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from coopgraph.errors import SourceError

__all__ = [
    "MAX_CHARS",
    "LANGUAGES",
    "Sentence",
    "read_article",
    "detect_language",
    "paragraphs",
    "sentences",
    "clauses",
]

#: How much of an article is processed; a longer text is cut here (with a warning), so a run stays bounded.
MAX_CHARS = 40_000
#: Languages the extractor reads.
LANGUAGES = ("ru", "en")

_LANGUAGE_NAMES = {
    "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch",
    "pl": "Polish", "uk": "Ukrainian", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ar": "Arabic",
    "he": "Hebrew", "el": "Greek", "hi": "Hindi", "th": "Thai", "ka": "Georgian", "hy": "Armenian",
}
# A few frequent function words per Latin-script language: enough to tell English from its neighbours.
_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "was", "with", "for", "on", "that", "by", "from", "will", "at"},
    "de": {"der", "die", "und", "das", "mit", "von", "zu", "den", "ist", "ein", "eine", "auf", "für", "nicht", "im"},
    "fr": {"le", "la", "les", "et", "des", "du", "une", "est", "avec", "pour", "dans", "sur", "au", "par", "que"},
    "es": {"el", "los", "las", "del", "y", "una", "con", "por", "para", "que", "es", "se", "al", "su", "como"},
    "it": {"il", "gli", "della", "e", "che", "di", "una", "con", "per", "sono", "nel", "alla", "del", "si", "non"},
    "pt": {"os", "das", "dos", "uma", "com", "para", "que", "não", "em", "ao", "pela", "pelo", "se", "foi", "na"},
    "nl": {"de", "het", "een", "en", "van", "met", "voor", "op", "dat", "niet", "zijn", "te", "aan", "bij", "ook"},
    "pl": {"i", "w", "na", "z", "się", "do", "że", "jest", "nie", "oraz", "przez", "dla", "od", "po", "jak"},
}
_UKRAINIAN = set("ієїґЄІЇҐ")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the article: its text and where it is.

    Attributes
    ----------
    index : its number in the article, from 0
    paragraph : the number of its paragraph, from 0 (paragraphs are separated by blank lines or line breaks)
    start, end : its offsets in the article, ``[start, end)``
    text : ``article[start:end]``
    """

    index: int
    paragraph: int
    start: int
    end: int
    text: str = field(repr=False)


def read_article(path: str | Path, *, max_chars: int = MAX_CHARS) -> tuple[str, bytes, list[str]]:
    """The article's text (cut to ``max_chars``), its bytes, and warnings.

    Raises
    ------
    SourceError
        for a missing, empty, binary or non-UTF-8 file, with what to do
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(path, None, "no such file — check the path") from None
    except IsADirectoryError:
        raise SourceError(path, None, "is a folder, not an article (a .txt file)") from None
    except OSError as exc:
        raise SourceError(path, None, f"cannot be read ({exc.strerror}) — check its permissions") from None
    if not data.strip():
        raise SourceError(path, None, "the file is empty — nothing to extract")
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if b"\x00" in body[:65536]:
        offset = body.index(b"\x00")
        raise SourceError(path, None, f"binary data, not text (a NUL byte at offset {offset}) — give a plain-text article")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise SourceError(
            path, line, f"not UTF-8 text (byte 0x{body[exc.start]:02x}) — save the article as UTF-8 plain text"
        ) from None
    controls = sum(1 for c in text[:65536] if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f\v")
    if controls > max(8, len(text[:65536]) // 100):
        raise SourceError(path, None, f"binary data, not text ({controls} control characters) — give a plain-text article")
    warnings = []
    if len(text) > max_chars:
        cut = text.rfind("\n", 0, max_chars)
        cut = cut if cut > max_chars // 2 else max_chars
        warnings.append(
            f"{path}: the text has {len(text):,} characters; only the first {cut:,} were read "
            "(split long files into one article each)"
        )
        text = text[:cut]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, data, warnings


def detect_language(text: str) -> tuple[str, str]:
    """The language of ``text`` as a BCP 47 tag, and its English name (``('ru', 'Russian')``).

    Decided by script first (Cyrillic, Han, Arabic...), then, for Latin script, by the share of a few
    function words of each language. Returns ``('und', 'an unknown language')`` when nothing decides.

    >>> detect_language("Делегация посетила университет.")
    ('ru', 'Russian')
    >>> detect_language("The delegation visited the university and signed an agreement.")
    ('en', 'English')
    >>> detect_language("Die Delegation besuchte die Universität und unterzeichnete ein Abkommen.")
    ('de', 'German')
    """
    sample = text[:20000]
    counts = {"cyrillic": 0, "latin": 0, "han": 0, "kana": 0, "hangul": 0, "arabic": 0, "hebrew": 0, "greek": 0,
              "other": 0}
    for char in sample:
        if not char.isalpha():
            continue
        code = ord(char)
        if 0x0400 <= code <= 0x04FF:
            counts["cyrillic"] += 1
        elif code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
            counts["latin"] += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            counts["han"] += 1
        elif 0x3040 <= code <= 0x30FF:
            counts["kana"] += 1
        elif 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF:
            counts["hangul"] += 1
        elif 0x0600 <= code <= 0x06FF:
            counts["arabic"] += 1
        elif 0x0590 <= code <= 0x05FF:
            counts["hebrew"] += 1
        elif 0x0370 <= code <= 0x03FF:
            counts["greek"] += 1
        else:
            counts["other"] += 1
    total = sum(counts.values())
    if not total:
        return "und", "an unknown language"
    script = max(counts, key=lambda k: counts[k])
    if script == "cyrillic":
        ukrainian = sum(1 for c in sample if c in _UKRAINIAN)
        return ("uk", "Ukrainian") if ukrainian > counts["cyrillic"] // 50 else ("ru", "Russian")
    by_script = {"han": "zh", "kana": "ja", "hangul": "ko", "arabic": "ar", "hebrew": "he", "greek": "el"}
    if script in by_script:
        tag = "ja" if script == "han" and counts["kana"] > counts["han"] // 10 else by_script[script]
        return tag, _LANGUAGE_NAMES[tag]
    if script != "latin":
        return "und", "an unknown language"
    words = re.findall(r"[^\W\d_]+", sample.casefold())
    if not words:
        return "und", "an unknown language"
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    if scores[best] < max(2, len(words) // 40):
        return "und", "an unknown language"
    return best, "English" if best == "en" else _LANGUAGE_NAMES.get(best, best)


_PARAGRAPH = re.compile(r"[^\n]+")
# A sentence ends at . ! ? … (and closing quotes or brackets after them) followed by space and a capital
# letter, a digit, a quote or a dash. Abbreviations and initials are protected below.
_END = re.compile(r"[.!?…]+[»\"')\]]*(?=\s+[«\"(\[]?[A-ZА-ЯЁ0-9—–-])")
_NO_SPLIT_BEFORE = re.compile(
    r"(?:\b[A-ZА-ЯЁ]|\b(?:г|гг|ул|д|им|т|т\.е|т\.к|т\.д|т\.п|и\.о|и\. о|проф|акад|доц|рис|стр|см|св|ст|тыс|млн|млрд|руб|"
    r"Prof|Dr|Mr|Mrs|Ms|St|No|Vol|vs|etc|e\.g|i\.e|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Ltd|Co|Corp|"
    r"approx|Dept|Univ))$"
)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """The non-blank lines of ``text`` as ``(start, end)`` offsets (a line is a paragraph in news text)."""
    out = []
    for match in _PARAGRAPH.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            out.append((start, end))
    return out


def sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` with their offsets, paragraph by paragraph.

    >>> [s.text for s in sentences("С 11 по 15 сентября делегация и. о. ректора Л.А. Загеевой была в Китае. Визит удался.")]
    ['С 11 по 15 сентября делегация и. о. ректора Л.А. Загеевой была в Китае.', 'Визит удался.']
    """
    out: list[Sentence] = []
    for number, (p_start, p_end) in enumerate(paragraphs(text)):
        chunk = text[p_start:p_end]
        begin = 0
        for match in _END.finditer(chunk):
            before = chunk[begin:match.start()]
            if match.group().startswith(".") and _NO_SPLIT_BEFORE.search(before):
                continue
            end = match.end()
            _add(out, text, number, p_start + begin, p_start + end)
            begin = end
        _add(out, text, number, p_start + begin, p_end)
    return out


def _add(out: list[Sentence], text: str, paragraph: int, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append(Sentence(len(out), paragraph, start, end, text[start:end]))


_CLAUSE = re.compile(r"\s*(?:[:;]|\s[—–]\s|,\s*(?:где|когда|что|который|которая|которые|where|when|which|while)\b)\s*")
_BROAD = re.compile(r"\s*(?:[:;]|\s[—–]\s)\s*")


def clauses(sentence: Sentence, *, broad: bool = False) -> list[tuple[int, int]]:
    """The clauses of a sentence as article offsets: split at ``:``, ``;``, a dash, and ", где/where ...".

    With ``broad``, only at ``:``, ``;`` and a dash (a subordinate clause stays with its main clause).

    >>> s = Sentence(0, 0, 10, 40, "сейчас 5 человек там: они приедут")
    >>> clauses(s)
    [(10, 30), (32, 43)]
    """
    out = []
    begin = 0
    for match in (_BROAD if broad else _CLAUSE).finditer(sentence.text):
        if match.start() > begin:
            out.append((sentence.start + begin, sentence.start + match.start()))
        begin = match.end() if not match.group().lstrip().startswith(",") else match.start() + 1
    if begin < len(sentence.text):
        out.append((sentence.start + begin, sentence.start + len(sentence.text)))
    return out
