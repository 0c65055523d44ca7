"""English: rules over the registry's gazetteer, regular expressions for names and posts, stdlib dates.

No statistical model: persons are capitalised names next to a post or an honorific ("acting rector
Liliya Zageeva", "Prof. Ivan Mazur", "Anna Pozdnyakova, head of the International Office"); institutions
the registry lacks are capitalised names headed by University, Institute, College, Academy...;
tense comes from auxiliaries ("will", "is going to") and past forms.
"""

from __future__ import annotations

import re

from coopgraph.extract.dates import find_dates
from coopgraph.extract.gazetteer import Gazetteer, Hit
from coopgraph.extract.model import Annotated, OrgMention, PersonMention, RoleMention, Token
from coopgraph.extract.text import Sentence
from coopgraph.resolve import looks_like_acronym

__all__ = ["LANG", "CUES", "ORDINALS", "annotate", "status", "number", "nationality", "lemma"]

LANG = "en"
CUES: dict[str, frozenset[str]] = {
    key: frozenset(value.split())
    for key, value in {
        "visit": "visit",
        "delegation": "delegation team",
        "official": "official",
        "meeting": "meeting meet talk session",
        "site": "museum laboratory lab plant factory campus exhibition",
        "conference": "conference forum symposium congress summit",
        "participate": "participate part attend",
        "agreement": "agreement memorandum mou contract",
        "memorandum": "memorandum mou",
        "cooperation": "cooperation co-operation collaboration",
        "programme": "program",
        "joint": "joint",
        "double": "double dual",
        "diploma": "degree diploma",
        "students": "student undergraduate postgraduate",
        "staff": "lecturer teacher professor researcher staff scientist",
        "study": "study studie semester",
        "teach": "teach class lecture course",
        "training": "internship traineeship training",
        "discuss": "discuss discussion topic",
        "plan": "plan roadmap",
        "home": "our",
        "now": "now currently presently",
        "move": "come arrive stay go",
    }.items()
}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": 0}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30}
_NATIONALITY = {"chinese": "China", "russian": "Russia", "german": "Germany", "french": "France",
                "belarusian": "Belarus", "kazakh": "Kazakhstan", "indian": "India", "vietnamese": "Vietnam",
                "mongolian": "Mongolia", "uzbek": "Uzbekistan"}
#: Frequent Chinese family names in pinyin: a Chinese name is written family name first ("Li Wei").
CHINESE_FAMILY_NAMES = frozenset(
    "Wang Li Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Hu Zhu Gao Lin He Guo Ma Luo Liang Song Zheng Xie Han Tang "
    "Feng Yu Dong Xiao Cheng Cao Yuan Deng Xue Fu Shen Zeng Peng Lu Su Jiang Cai Jia Ding Wei Xia Jin Tian".split())
_IRREGULAR = {"met": "meet", "took": "take", "came": "come", "went": "go", "held": "hold", "began": "begin",
              "signed": "sign", "studies": "study", "classes": "class", "taught": "teach", "led": "lead",
              "spoke": "speak", "saw": "see", "attended": "attend", "visited": "visit", "visiting": "visit",
              "meetings": "meeting", "talks": "talk", "sessions": "session", "agreements": "agreement",
              "programmes": "program", "programme": "program", "programs": "program", "lecturers": "lecturer",
              "discussed": "discuss", "participated": "participate", "laboratories": "laboratory",
              "universities": "university", "conferences": "conference", "is": "be", "are": "be", "was": "be",
              "were": "be", "will": "will"}
_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*|\d+|[^\w\s]")


def lemma(word: str) -> str:
    """A rough English lemma: lower case, irregular forms looked up, -s/-ed/-ing stripped.

    >>> [lemma(w) for w in ("Visited", "delegations", "meetings", "signed", "studies", "students")]
    ['visit', 'delegation', 'meeting', 'sign', 'study', 'student']
    """
    word = word.casefold().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ied") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ed") and len(word) > 4:
        stem = word[:-2]
        return stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem
    if word.endswith("ing") and len(word) > 5:
        return word[:-3]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


# ---------------------------------------------------------------- annotation

_HONORIFIC = r"(?:Prof(?:essor)?\.?|Dr\.?|Mr\.?|Ms\.?|Mrs\.?|Dean)\s+"
_NAME = re.compile(
    r"(?P<hon>" + _HONORIFIC + r")?(?P<name>(?:[A-Z]\.\s?){1,2}\s*[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
    r"|[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,2})"
)
_NOT_NAME = {"university", "institute", "college", "academy", "department", "office", "conference", "forum",
             "international", "state", "technical", "province", "the", "on", "in", "at", "during", "after",
             "this", "next", "last", "from", "with", "head", "acting", "rector", "president", "professor",
             "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
             "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
             "sunday", "chinese", "russian", "school", "faculty", "museum", "delegation", "a", "an", "and", "its",
             "science", "technology", "metallurgy", "engineering", "center", "centre", "laboratory", "vice"}
_ORG = re.compile(
    r"(?P<n>(?:[A-Z][\w'’-]+\s+){0,5}(?:University|Institute|College|Academy|Polytechnic|Conservatory)"
    r"(?:\s+of\s+[A-Z][\w-]+(?:\s+(?:and\s+|of\s+|for\s+|&\s+)?[A-Z][\w-]+){0,5})?)"
)


def annotate(text: str, sentences: list[Sentence], gazetteer: Gazetteer, *, reference: str | None) -> list[Annotated]:
    """Tokens, lemmas, registry hits, persons, posts, unknown institutions and dates of every sentence."""
    out = []
    for sentence in sentences:
        ann = Annotated(sentence=sentence)
        base = sentence.start
        for match in _WORD.finditer(sentence.text):
            word = match.group()
            ann.tokens.append(Token(base + match.start(), base + match.end(), word, lemma(word),
                                    "PUNCT" if not word[0].isalnum() else ""))
        ann.hits = gazetteer.scan(sentence.text, offset=base)
        ann.dates = find_dates(sentence.text, LANG, reference=reference, offset=base)
        _organisations(ann, gazetteer)
        ann.roles = _roles(ann)
        ann.people = _people(ann)
        out.append(ann)
    return out


def _organisations(ann: Annotated, gazetteer: Gazetteer) -> None:
    text, base = ann.sentence.text, ann.sentence.start
    for match in _ORG.finditer(text):
        name = match.group("n")
        words = name.split()
        while words and words[0].casefold() in ("the", "a", "an", "at", "in", "with", "of", "and", "from", "to"):
            words = words[1:]
        if len(words) < 2:
            continue
        name = " ".join(words)
        start = base + match.end("n") - len(name)
        end = base + match.end("n")
        if any(h.start < end and start < h.end for h in ann.hits):
            continue
        found = gazetteer.resolver.candidates(name)
        if len(found) == 1:
            ann.hits.append(Hit(start, end, name, "institution", found[0].id))
            continue
        after = re.match(r"\s*\(([A-Z][A-Za-z-]{1,11})\)", text[end - base:end - base + 16])
        acronym = after.group(1) if after and looks_like_acronym(after.group(1)) else None
        if found:
            listed = "; ".join(i.describe() for i in found)
            message = f"'{name}' matches {len(found)} institutions ({listed}) — write the right id"
        else:
            closest = gazetteer.resolver.closest(name)
            near = ", ".join(f"'{n}' ({i})" for n, i in closest)
            message = f"'{name}' is not in the registry" + (f" (closest: {near})" if near else "")
        ann.unknown.append(OrgMention(start, end, name, name, acronym, tuple(i.id for i in found), message))
    ann.hits.sort(key=lambda h: h.start)


_ROLE_PATTERNS = [
    ("ActingRector", re.compile(r"\b(?:acting|interim)\s+rector\b", re.I)),
    ("Rector", re.compile(r"\brector\b", re.I)),
    ("President", re.compile(r"(?<!vice-)(?<!vice )\bpresident\b", re.I)),
    ("HeadOfDepartment", re.compile(
        r"\b(?:head|chair)\s+of\s+(?:the\s+)?(?P<unit>(?:Department|Chair)\s+of\s+[A-Z][\w-]*(?:\s+(?:and\s+|of\s+)?[A-Z][\w-]*)*"
        r"|(?:[A-Z][\w-]*\s+){1,4}Department)", re.I)),
    ("HeadOfInternationalOffice", re.compile(
        r"\b(?:head|director|chief)\s+of\s+(?:the\s+)?(?P<unit>(?:[A-Z][\w-]*\s+)?International\s+(?:Relations\s+|Cooperation\s+)?"
        r"(?:Office|Department)|Office\s+of\s+International\s+(?:Relations|Affairs|Cooperation))", re.I)),
    ("Head", re.compile(r"\bhead\s+of\s+(?:the\s+)?(?=[A-Z])(?!Department|International|Office|School|Faculty|Chair)")),
]
_TITLE = re.compile(r"\bProf(?:essor|\.)(?=\s+[A-Z])|\bprofessor\b")


def _roles(ann: Annotated) -> list[RoleMention]:
    text, base = ann.sentence.text, ann.sentence.start
    found: list[RoleMention] = []
    taken: list[tuple[int, int]] = []
    for role, pattern in _ROLE_PATTERNS:
        for match in pattern.finditer(text):
            start, end = base + match.start(), base + match.end()
            if any(start < e and s < end for s, e in taken):
                continue
            unit_kind = unit_name = None
            if "unit" in pattern.groupindex and match.group("unit"):
                unit_kind = "Department" if role == "HeadOfDepartment" else "InternationalOffice"
                unit_name = match.group("unit")
                unit_name = unit_name[:1].upper() + unit_name[1:]
            institution = None
            tail = re.match(r"\s*(?:of|at|from)\s+(?:the\s+)?", text[end - base:])
            probe = end + (tail.end() if tail else 0)
            for hit in ann.institutions():
                if 0 <= hit.start - probe <= 1:
                    institution = hit.id
                elif re.fullmatch(r"['’]s\s+(?:\w+\s+)?", text[hit.end - base:start - base] or "x"):
                    institution = hit.id
            found.append(RoleMention(start, end, text[start - base:end - base], role, unit_kind=unit_kind,
                                     unit_name=unit_name, institution=institution))
            taken.append((start, end))
    for match in _TITLE.finditer(text):
        start, end = base + match.start(), base + match.end()
        if not any(start < e and s < end for s, e in taken):
            found.append(RoleMention(start, end, match.group(), title="Professor"))
    return sorted(found, key=lambda r: r.start)


def _people(ann: Annotated) -> list[PersonMention]:
    text, base = ann.sentence.text, ann.sentence.start
    out = []
    for match in _NAME.finditer(text):
        name = match.group("name")
        words = [w for w in re.split(r"\s+", name) if w]
        while words and words[0].rstrip(".").casefold() in _NOT_NAME:
            words = words[1:]
        if not words or any(w.casefold() in _NOT_NAME for w in words if not w.endswith(".")):
            continue
        if len(words) == 1 and not re.match(r"[A-Z]\.", words[0]):
            continue
        start = base + match.end("name") - len(" ".join(words)) if words else base + match.start("name")
        start = base + text.find(words[0], match.start("name"))
        end = base + match.end("name")
        if any(h.start < end and start < h.end for h in ann.hits):
            continue
        honorific = match.group("hon") is not None
        adjacent = any(0 <= start - r.end <= 3 or 0 <= r.start - end <= 3 for r in ann.roles)
        if not (honorific or adjacent):
            continue
        initials = [w for w in words if re.fullmatch(r"(?:[A-Z]\.)+", w)]
        names = [w for w in words if w not in initials]
        if not names:
            continue
        family = names[-1]
        given = " ".join(names[:-1]) or None
        if len(names) == 2 and not initials and names[0] in CHINESE_FAMILY_NAMES:
            family, given = names[0], names[1]
        letters = "".join(initials).replace(".", "")
        initial_text = " ".join(c + "." for c in letters) if letters else (
            " ".join(g[0] + "." for g in given.split()) if given else None)
        out.append(PersonMention(start, end, text[start - base:end - base], family, given, initial_text))
    return out


# ---------------------------------------------------------------- grammar the fact rules ask about

_PLANNED = re.compile(r"\b(?:will|shall|'ll|going to|plans? to|planned to|intends? to|are to|is to|expected to|"
                      r"to be (?:signed|held|launched|opened)|next (?:academic )?year|upcoming|from next)\b", re.I)
_ONGOING = re.compile(r"\b(?:now|currently|at present|presently|is being|are being|since|has been|have been)\b|"
                      r"\b(?:is|are|am)\s+(?:\w+\s+)?\w+ing\b|\b(?:runs?|teach(?:es)?|works?|studies|study|"
                      r"offers?|operates?)\b", re.I)
_PAST = re.compile(r"\b(?:was|were|had|did|took|met|came|went|held|began|signed|visited|agreed|attended|"
                   r"[a-z]{3,}ed)\b", re.I)


def status(ann: Annotated, start: int, end: int, cue: int) -> str | None:
    """Planned ("will", "is going to", "next year"), Ongoing ("now", "is ...ing", present) or Completed (past)."""
    clause = ann.sentence.text[start - ann.sentence.start:end - ann.sentence.start]
    if _PLANNED.search(clause):
        return "Planned"
    if _ONGOING.search(clause):
        return "Ongoing"
    if _PAST.search(clause):
        return "Completed"
    return None


def number(ann: Annotated, token: Token) -> int | None:
    """The number written just before a noun ("5 lecturers", "five Chinese students")."""
    before = [t for t in ann.tokens if t.end <= token.start][-3:]
    for t in reversed(before):
        if t.text.isdigit():
            return int(t.text)
        if t.text.casefold() in _NUMBERS:
            return _NUMBERS[t.text.casefold()]
        if not (t.text[:1].isupper() or t.text.casefold() in ("more", "new", "young", "first")):
            break
    return None


def nationality(ann: Annotated, token: Token) -> str | None:
    """The country (English name) of an adjective of nationality just before a noun ("Chinese students")."""
    before = [t for t in ann.tokens if t.end <= token.start][-2:]
    for t in reversed(before):
        if t.text.casefold() in _NATIONALITY:
            return _NATIONALITY[t.text.casefold()]
    return None
