"""Dates in Russian and English news text: days, ranges, months, years, relative years, publication lines.

Every date found is a :class:`DateMention` with its offsets and ISO values at the precision the text
gives (``2023-09-11``, ``2023-09``, ``2023``). A day or a month written without a year takes the year
that puts it nearest to the article's date (so «с 11 по 15 сентября» in an article of 18 September 2023
is 2023-09-11..2023-09-15, and "10 January" in an article of December 2023 is 2024-01-10).

>>> [(m.start_date, m.end_date) for m in find_dates("С 11 по 15 сентября делегация...", "ru", reference="2023-09-18")]
[('2023-09-11', '2023-09-15')]
>>> [(m.start_date, m.end_date) for m in find_dates("from 28 September to 2 October 2023", "en")]
[('2023-09-28', '2023-10-02')]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["DateMention", "find_dates", "publication_date", "MONTHS_RU", "MONTHS_EN"]

#: Stems of Russian month names (any case: сентября, сентябре, сентябрь).
MONTHS_RU = ("январ", "феврал", "март", "апрел", "ма[йяе]", "июн", "июл", "август", "сентябр", "октябр", "ноябр",
             "декабр")
#: English month names and their abbreviations.
MONTHS_EN = ("jan(?:uary)?", "feb(?:ruary)?", "mar(?:ch)?", "apr(?:il)?", "may", "june?", "july?", "aug(?:ust)?",
             "sep(?:t(?:ember)?)?", "oct(?:ober)?", "nov(?:ember)?", "dec(?:ember)?")


@dataclass(frozen=True)
class DateMention:
    """A date or a range of dates in the text.

    Attributes
    ----------
    start, end : offsets of the words, ``[start, end)``
    text : the words
    start_date : ISO value at the precision given (``2023-09-11``, ``2023-09``, ``2023``)
    end_date : the end of a range, else None
    kind : ``range``, ``day``, ``month``, ``year``, ``since`` (a year something runs from) or ``relative``
    """

    start: int
    end: int
    text: str
    start_date: str
    end_date: str | None = None
    kind: str = "day"


_RU_MONTH = "(?P<{name}>" + "|".join(f"{m}" for m in MONTHS_RU) + r")[а-я]*"
_EN_MONTH = r"(?P<{name}>" + "|".join(MONTHS_EN) + r")\.?"
_DASH = r"\s*[-–—]\s*"
_YEAR = r"(?P<{name}>(?:19|20)\d\d)"


def _month_number(word: str, lang: str) -> int:
    word = word.casefold()
    stems = MONTHS_RU if lang == "ru" else MONTHS_EN
    for number, stem in enumerate(stems, start=1):
        if re.match(stem + ("" if lang == "ru" else r"\b"), word) or re.match(stem, word):
            return number
    raise ValueError(word)


def _patterns(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    def m(name: str) -> str:
        return (_RU_MONTH if lang == "ru" else _EN_MONTH).format(name=name)

    def y(name: str) -> str:
        return _YEAR.format(name=name)

    if lang == "ru":
        year_tail = r"(?:\s+" + y("{}") + r"(?:\s*(?:года|году|год|г\.))?)?"
        specs = [
            ("range2", rf"\b(?:[сС]\s+)?(?P<d1>\d{{1,2}})\s+{m('m1')}(?:\s+{y('y1')}(?:\s*(?:года|г\.))?)?"
                       rf"(?:\s+(?:по|до)\s+|{_DASH})(?P<d2>\d{{1,2}})\s+{m('m2')}{year_tail.format('y2')}"),
            ("range1", rf"\b(?:[сС]\s+)?(?P<d1>\d{{1,2}})(?:\s+(?:по|до)\s+|{_DASH})(?P<d2>\d{{1,2}})\s+{m('m1')}"
                       rf"{year_tail.format('y1')}"),
            ("numeric", r"\b(?P<d1>\d{1,2})\.(?P<n1>\d{1,2})\.(?P<y1>(?:19|20)\d\d)\b"),
            ("day", rf"\b(?P<d1>\d{{1,2}})\s+{m('m1')}{year_tail.format('y1')}"),
            ("month", rf"\b[вВсС]\s+{m('m1')}(?:\s+{y('y1')}(?:\s*(?:года|г\.))?)?"),
            ("since", rf"\b[сС]\s+{y('y1')}\s*(?:года|г\.)"),
            ("year", rf"\b[вВ]\s+{y('y1')}\s*(?:году|г\.)"),
            ("year", rf"\b{y('y1')}\s*(?:года|году|г\.)"),
            ("relative", r"\b(?:[вВ]|[нН]а)\s+(?P<rel>следующ|будущ|этом|текущ|прошл|нынешн)[а-я]*\s+(?:году|год)\b"),
        ]
    else:
        specs = [
            ("range2", rf"\b(?:[fF]rom\s+|[bB]etween\s+)?(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{m('m1')}"
                       rf"(?:,?\s+{y('y1')})?(?:\s+(?:to|until|till|and)\s+|{_DASH})(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+"
                       rf"(?:of\s+)?{m('m2')}(?:,?\s+{y('y2')})?"),
            ("range2", rf"\b(?:[fF]rom\s+|[bB]etween\s+)?{m('m1')}\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+{y('y1')})?"
                       rf"(?:\s+(?:to|until|till|and)\s+|{_DASH}){m('m2')}\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?"
                       rf"(?:,?\s+{y('y2')})?"),
            ("range1", rf"\b(?:[fF]rom\s+|[bB]etween\s+)?(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+(?:to|until|till|and)\s+|{_DASH})"
                       rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{m('m1')}(?:,?\s+{y('y1')})?"),
            ("range1", rf"\b(?:[fF]rom\s+|[bB]etween\s+)?{m('m1')}\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
                       rf"(?:\s+(?:to|until|till|and)\s+|{_DASH})(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+{y('y1')})?"),
            ("iso", r"\b(?P<y1>(?:19|20)\d\d)-(?P<n1>\d\d)-(?P<d1>\d\d)\b"),
            ("numeric", r"\b(?P<d1>\d{1,2})\.(?P<n1>\d{1,2})\.(?P<y1>(?:19|20)\d\d)\b"),
            ("day", rf"\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{m('m1')}(?:,?\s+{y('y1')})?"),
            ("day", rf"\b{m('m1')}\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+{y('y1')})?"),
            ("month", rf"\b(?:[iI]n|[dD]uring|[sS]ince)\s+{m('m1')}(?:\s+{y('y1')})?\b"),
            ("since", rf"\b(?:[sS]ince|[sS]tarting in)\s+{y('y1')}\b"),
            ("year", rf"\b(?:[iI]n)\s+{y('y1')}\b"),
            ("relative", r"\b(?P<rel>next|this|last|the coming|the following)\s+(?:academic\s+)?year\b"),
        ]
    flags = re.IGNORECASE if lang == "en" else 0
    return [(kind, re.compile(pattern, flags)) for kind, pattern in specs]


_COMPILED: dict[str, list[tuple[str, re.Pattern[str]]]] = {}


def _nearest_year(month: int, day: int, reference: dt.date | None) -> int | None:
    if reference is None:
        return None
    best = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            distance = abs((dt.date(year, month, min(day, 28)) - reference).days)
        except ValueError:
            continue
        if best is None or distance < best[0]:
            best = (distance, year)
    return best[1] if best else reference.year


def _iso(year: int | None, month: int | None = None, day: int | None = None) -> str | None:
    if year is None:
        return None
    try:
        if day is not None and month is not None:
            return dt.date(year, month, day).isoformat()
        if month is not None:
            dt.date(year, month, 1)
            return f"{year:04d}-{month:02d}"
    except ValueError:
        return None
    return f"{year:04d}"


def find_dates(text: str, lang: str, *, reference: str | None = None, offset: int = 0) -> list[DateMention]:
    """Every date and range of dates in ``text``, left to right, without overlaps.

    Parameters
    ----------
    text : a sentence or any text
    lang : ``ru`` or ``en``
    reference : the article's date (ISO); gives the year to dates written without one, and the meaning
        of «в следующем году» / "next year"
    offset : added to every offset (the position of ``text`` in the article)
    """
    if lang not in _COMPILED:
        _COMPILED[lang] = _patterns(lang)
    ref = dt.date.fromisoformat(reference[:10]) if reference and len(reference) >= 10 else None
    ref_year = int(reference[:4]) if reference else None
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _COMPILED[lang]:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < e and s < span[1] for s, e in taken):
                continue
            mention = _mention(kind, match, lang, ref, ref_year, offset)
            if mention is not None:
                found.append(mention)
                taken.append(span)
    return sorted(found, key=lambda m: m.start)


def _group(match: re.Match[str], name: str) -> str | None:
    try:
        return match.group(name)
    except IndexError:
        return None


def _mention(kind: str, match: re.Match[str], lang: str, ref: dt.date | None, ref_year: int | None,
             offset: int) -> DateMention | None:
    start, end = match.span()
    words = match.group()
    make = lambda s, e, k: DateMention(offset + start, offset + end, words, s, e, k) if s else None  # noqa: E731
    y1, y2 = _group(match, "y1"), _group(match, "y2")
    if kind == "relative":
        if ref_year is None:
            return None
        rel = match.group("rel").casefold()
        delta = 1 if rel.startswith(("след", "будущ", "next", "the coming", "the following")) else (
            -1 if rel.startswith(("прошл", "last")) else 0)
        return make(str(ref_year + delta), None, "relative")
    if kind in ("since", "year"):
        return make(y1, None, kind)
    if kind in ("numeric", "iso"):
        return make(_iso(int(y1), int(match.group("n1")), int(match.group("d1"))), None, "day")
    m1 = _month_number(match.group("m1"), lang)
    if kind == "month":
        year = int(y1) if y1 else _nearest_year(m1, 15, ref)
        return make(_iso(year, m1), None, "month")
    d1 = int(match.group("d1"))
    if kind == "day":
        year = int(y1) if y1 else _nearest_year(m1, d1, ref)
        return make(_iso(year, m1, d1), None, "day")
    d2 = int(match.group("d2"))
    m2 = _month_number(match.group("m2"), lang) if _group(match, "m2") else m1
    year2 = int(y2) if y2 else (int(y1) if y1 and kind == "range1" else None)
    year1 = int(y1) if y1 else None
    if year2 is None:
        year2 = year1 if year1 and m2 >= m1 else _nearest_year(m2, d2, ref)
    if year1 is None and year2 is not None:
        year1 = year2 if (m1, d1) <= (m2, d2) else year2 - 1
    first, last = _iso(year1, m1, d1), _iso(year2, m2, d2)
    if first is None or last is None or last < first:
        return None
    return make(first, last, "range")


_PUBLICATION = {
    "ru": re.compile(
        r"^\s*(?:(?P<d>\d{1,2})\.(?P<n>\d{1,2})\.(?P<y>(?:19|20)\d\d)|(?P<d2>\d{1,2})\s+(?P<m2>[а-яё]+)\s+(?P<y2>(?:19|20)\d\d)"
        r"(?:\s*г(?:ода|\.)?)?|(?P<y3>(?:19|20)\d\d)-(?P<n3>\d\d)-(?P<d3>\d\d))"
        r"(?:[,\s]+(?:в\s+)?(?P<hh>\d{1,2}):(?P<mm>\d\d))?\s*$"
    ),
    "en": re.compile(
        r"^\s*(?:(?:published|posted|date)\s*:?\s*)?(?:(?P<d>\d{1,2})\.(?P<n>\d{1,2})\.(?P<y>(?:19|20)\d\d)|"
        r"(?P<d2>\d{1,2})\s+(?P<m2>[a-z]+)\.?,?\s+(?P<y2>(?:19|20)\d\d)|(?P<m4>[a-z]+)\.?\s+(?P<d4>\d{1,2}),?\s+(?P<y4>(?:19|20)\d\d)|"
        r"(?P<y3>(?:19|20)\d\d)-(?P<n3>\d\d)-(?P<d3>\d\d))(?:[,\s]+(?:at\s+)?(?P<hh>\d{1,2}):(?P<mm>\d\d))?\s*$",
        re.IGNORECASE,
    ),
}


def publication_date(lines: list[tuple[int, int, str]], lang: str) -> tuple[str, int, int] | None:
    """The publication date and time from a line that holds only them (``18.09.2023 00:22``).

    Parameters
    ----------
    lines : the first lines of the article as ``(start, end, text)``

    Returns
    -------
    ``(iso, start, end)``: ``2023-09-18T00:22`` (or a date alone), and the line's offsets; None when no line is one

    >>> publication_date([(0, 16, "18.09.2023 00:22")], "ru")
    ('2023-09-18T00:22', 0, 16)
    >>> publication_date([(0, 18, "September 18, 2023")], "en")
    ('2023-09-18', 0, 18)
    """
    pattern = _PUBLICATION[lang]
    for start, end, line in lines:
        match = pattern.match(line)
        if not match:
            continue
        groups = match.groupdict()
        try:
            if groups["d"]:
                day, month, year = int(groups["d"]), int(groups["n"]), int(groups["y"])
            elif groups["d2"]:
                day, month, year = int(groups["d2"]), _month_number(groups["m2"], lang), int(groups["y2"])
            elif groups.get("d4"):
                day, month, year = int(groups["d4"]), _month_number(groups["m4"], lang), int(groups["y4"])
            else:
                day, month, year = int(groups["d3"]), int(groups["n3"]), int(groups["y3"])
            date = dt.date(year, month, day).isoformat()
        except ValueError:
            continue
        if groups["hh"] is not None and int(groups["hh"]) < 24 and int(groups["mm"]) < 60:
            return f"{date}T{int(groups['hh']):02d}:{groups['mm']}", start, end
        return date, start, end
    return None
