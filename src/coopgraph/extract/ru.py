"""Russian: natasha (razdel segmentation, slovnet morphology and NER over navec embeddings) and pymorphy3.

The models ship inside the PyPI packages (``navec``, ``slovnet``, ``natasha``) and are read from the
installed package; nothing is downloaded. They are loaded once per process (:func:`load_models`, about
1.5 s); :data:`LOAD_SECONDS` records how long that took.

What this module adds to the gazetteer's registry names: persons (PER spans, their family names put in
the nominative — «Загеевой» → «Загеева»), institutions the registry lacks (ORG spans headed by
университет, институт, академия...), posts and titles («и. о. ректора», «заведующего кафедрой X»,
«начальника международного отдела», «президентом», «профессора»), lemmas and tense for the fact rules.
"""

from __future__ import annotations

import functools
import re
import time
from types import SimpleNamespace

from coopgraph.extract.dates import find_dates
from coopgraph.extract.gazetteer import Gazetteer, Hit
from coopgraph.extract.model import Annotated, OrgMention, PersonMention, RoleMention, Token
from coopgraph.extract.text import Sentence
from coopgraph.resolve import looks_like_acronym

__all__ = ["LANG", "CUES", "load_models", "annotate", "status", "number", "nationality", "LOAD_SECONDS"]

LANG = "ru"
#: Seconds the last :func:`load_models` took (0 until loaded).
LOAD_SECONDS = 0.0

#: Lemmas that signal each kind of fact.
CUES: dict[str, frozenset[str]] = {
    key: frozenset(value.split())
    for key, value in {
        "visit": "визит посетить посещение побывать",
        "delegation": "делегация команда",
        "official": "официальный",
        "meeting": "встреча заседание переговоры совещание",
        "site": "музей лаборатория завод предприятие кампус выставка",
        "conference": "конференция форум симпозиум конгресс саммит",
        "participate": "участие участвовать",
        "agreement": "соглашение договор меморандум",
        "memorandum": "меморандум",
        "cooperation": "сотрудничество",
        "programme": "программа",
        "joint": "совместный",
        "double": "двойной",
        "diploma": "диплом",
        "students": "студент аспирант магистрант бакалавр учащийся",
        "staff": "преподаватель сотрудник профессор учёный ученый исследователь",
        "study": "обучение учиться обучаться семестр",
        "teach": "занятие лекция преподавать вести преподавание",
        "training": "стажировка практика квалификация",
        "discuss": "обсуждать обсудить обсуждение обсуждаться вопрос",
        "plan": "план",
        "home": "наш",
        "now": "сейчас ныне",
        "move": "приехать приезжать находиться прибыть поехать направить",
    }.items()
}
ORDINALS = {"первый": 1, "второй": 2, "третий": 3, "четвёртый": 4, "четвертый": 4, "пятый": 5, "последний": 0}
_FUTURE_BE = {"буду", "будешь", "будет", "будем", "будете", "будут"}
_NUMBERS = {"один": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7, "восемь": 8, "девять": 9,
            "десять": 10, "двое": 2, "трое": 3, "четверо": 4, "пятеро": 5, "шестеро": 6, "семеро": 7, "двадцать": 20}
#: Adjectives of nationality → the English name of the country (as in the places registry).
_NATIONALITY = {"китайский": "China", "российский": "Russia", "русский": "Russia", "немецкий": "Germany",
                "французский": "France", "белорусский": "Belarus", "казахстанский": "Kazakhstan",
                "индийский": "India", "вьетнамский": "Vietnam", "монгольский": "Mongolia", "узбекский": "Uzbekistan"}
#: Frequent Chinese family names in Russian spelling: a Chinese name is written family name first («Чжан Вэй»).
CHINESE_FAMILY_NAMES = frozenset(
    "Ван Ли Чжан Лю Чэнь Чен Ян Чжао Хуан Чжоу У Сюй Сунь Ху Чжу Гао Линь Хэ Го Ма Ло Лян Сун Чжэн Се Хань Тан Фэн Юй "
    "Дун Сяо Чэн Цао Юань Дэн Сюэ Фу Шэнь Цзэн Пэн Люй Су Лу Цзян Цай Цзя Дин Вэй Ся Цзинь Тянь".split())
_INSTITUTION_HEADS = {"университет", "институт", "академия", "колледж", "политех", "консерватория", "политехникум",
                      "училище", "вуз"}
_UNIT_HEADS = {"кафедра", "отдел", "управление", "департамент", "служба", "офис", "центр", "музей", "факультет"}


@functools.cache
def load_models() -> SimpleNamespace:
    """natasha's segmenter, morphology vocabulary, morphology and NER taggers, loaded once."""
    global LOAD_SECONDS
    began = time.perf_counter()
    from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

    embedding = NewsEmbedding()
    models = SimpleNamespace(
        segmenter=Segmenter(),
        vocab=MorphVocab(),
        morph=NewsMorphTagger(embedding),
        ner=NewsNERTagger(embedding),
    )
    LOAD_SECONDS = time.perf_counter() - began
    return models


@functools.cache
def _pymorphy():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


# ---------------------------------------------------------------- annotation


def annotate(text: str, sentences: list[Sentence], gazetteer: Gazetteer, *, reference: str | None) -> list[Annotated]:
    """Tokens, lemmas, registry hits, persons, posts, unknown institutions and dates of every sentence."""
    from natasha import Doc

    models = load_models()
    doc = Doc(text)
    doc.segment(models.segmenter)
    doc.tag_morph(models.morph)
    doc.tag_ner(models.ner)
    out = [Annotated(sentence=s) for s in sentences]
    starts = [s.start for s in sentences]

    def owner(offset: int) -> Annotated | None:
        import bisect

        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and offset < sentences[i].end:
            return out[i]
        return None

    for token in doc.tokens:
        ann = owner(token.start)
        if ann is None:
            continue
        token.lemmatize(models.vocab)
        lemma = (token.lemma or token.text).casefold().replace("ё", "е")
        ann.tokens.append(Token(token.start, token.stop, token.text, lemma, token.pos or "", dict(token.feats or {})))
    for ann in out:
        ann.hits = gazetteer.scan(ann.sentence.text, offset=ann.sentence.start)
        ann.dates = find_dates(ann.sentence.text, LANG, reference=reference, offset=ann.sentence.start)
    for span in doc.spans:
        ann = owner(span.start)
        if ann is None:
            continue
        if span.type == "PER":
            person = _person(text, span, ann)
            if person is not None and not any(h.start <= person.start < h.end for h in ann.hits):
                ann.people.append(person)
        elif span.type == "ORG":
            _organisation(text, span, ann, gazetteer, models)
    for ann in out:
        ann.roles = _roles(ann)
        _names_after_posts(text, ann)
        ann.people.sort(key=lambda p: p.start)
    return out


def _organisation(text: str, span, ann: Annotated, gazetteer: Gazetteer, models) -> None:
    if any(h.start < span.stop and span.start < h.end for h in ann.hits):
        return
    lemmas = {t.lemma for t in ann.tokens_in(span.start, span.stop)}
    words = span.text.split()
    if not lemmas & _INSTITUTION_HEADS and not (len(words) == 1 and looks_like_acronym(span.text)):
        return
    if len(words) == 1 and looks_like_acronym(span.text):
        return  # an acronym the registry lacks says too little to propose an institution
    found = gazetteer.resolver.candidates(span.text)
    if len(found) == 1:
        ann.hits.append(Hit(span.start, span.stop, span.text, "institution", found[0].id))
        ann.hits.sort(key=lambda h: h.start)
        return
    span.normalize(models.vocab)
    normal = span.normal or span.text
    normal = normal[:1].upper() + normal[1:]
    after = re.match(r"\s*\(([A-ZА-ЯЁ][A-ZА-ЯЁа-я-]{1,11})\)", text[span.stop:span.stop + 16])
    acronym = after.group(1) if after and looks_like_acronym(after.group(1)) else None
    candidates = tuple(i.id for i in found)
    if candidates:
        listed = "; ".join(i.describe() for i in found)
        message = f"'{span.text}' matches {len(found)} institutions ({listed}) — write the right id"
    else:
        closest = gazetteer.resolver.closest(normal)
        near = ", ".join(f"'{name}' ({id_})" for name, id_ in closest)
        message = f"'{normal}' is not in the registry" + (f" (closest: {near})" if near else "")
    ann.unknown.append(OrgMention(span.start, span.stop, span.text, normal, acronym, candidates, message))


# ---------------------------------------------------------------- persons

_INITIALS = re.compile(r"^([А-ЯЁ])\.\s*(?:([А-ЯЁ])\.?)?\s*")
_INITIALS_AFTER = re.compile(r"\s+([А-ЯЁ])\.\s*(?:([А-ЯЁ])\.?)?\s*$")
_CASES = {"Nom": "nomn", "Gen": "gent", "Dat": "datv", "Acc": "accs", "Ins": "ablt", "Loc": "loct"}


def _person(text: str, span, ann: Annotated) -> PersonMention | None:
    raw = text[span.start:span.stop].replace("\xa0", " ")
    initials = None
    rest = raw
    match = _INITIALS.match(raw)
    if match:
        initials = ". ".join(g for g in match.groups() if g) + "."
        rest = raw[match.end():]
    else:
        after = _INITIALS_AFTER.search(raw)
        if after:
            initials = ". ".join(g for g in after.groups() if g) + "."
            rest = raw[:after.start()]
    words = re.findall(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?", rest)
    if not words:
        return None
    case_hint = _case_before(ann, span.start)
    morph = _pymorphy()
    given_parts: list[str] = []
    family = None
    gender = None
    kinds = []
    for word in words:
        parses = morph.parse(word)
        if any("Patr" in q.tag for q in parses):
            kinds.append("Patr")
        elif any("Name" in q.tag for q in parses) and not any("Surn" in q.tag and q.score >= 0.3 for q in parses):
            kinds.append("Name")
        else:
            kinds.append("Surn")
    if initials is None and kinds.count("Surn") == 0 and len(words) == 3:
        kinds[-1] = "Surn"
    if initials is None and len(words) == 2 and words[0] in CHINESE_FAMILY_NAMES:
        return PersonMention(span.start, span.stop, raw, words[0], words[1], words[1][0] + ".", None)
    for word, kind in zip(words, kinds, strict=True):
        if kind in ("Name", "Patr") and not initials:
            best = next(q for q in morph.parse(word) if kind in q.tag)
            gender = gender or ("Fem" if "femn" in best.tag else "Masc" if "masc" in best.tag else None)
            normal = best.inflect({"nomn", "sing"}) or best.inflect({"nomn"})
            given_parts.append(_title(normal.word if normal else word))
        elif family is None:
            family = word
    if family is not None:
        if gender is None and re.search(r"(?:ой|ую)$", family) and re.search(r"(?:ов|ев|ин|ын|ёв)[ао]й$|(?:ск|цк)ой$", family):
            gender = "Fem"
        family = _normal_family(family, case_hint, gender)
    given = " ".join(given_parts) or None
    if given and not initials:
        initials = " ".join(part[0] + "." for part in given.split())
    return PersonMention(span.start, span.stop, raw, family, given, initials, gender)


_NAME_AFTER = re.compile(r"\s+((?:[А-ЯЁ]\.\s*){0,2}[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?(?:\s+[А-ЯЁ][а-яё]+){0,2}"
                         r"(?:\s+[А-ЯЁ]\.\s*(?:[А-ЯЁ]\.)?)?)")


def _names_after_posts(text: str, ann: Annotated) -> None:
    """A capitalised name right after a post («ректор Ван Мин») that the NER did not tag as a person."""
    for role in ann.roles:
        if not role.role:
            continue
        end = role.end
        for hit in ann.hits:
            if hit.kind == "institution" and 0 <= hit.start - end <= 1:
                end = hit.end
        match = _NAME_AFTER.match(text, end, ann.sentence.end)
        if not match:
            continue
        start, stop = match.span(1)
        if any(p.start < stop and start < p.end for p in ann.people) or any(h.start < stop and start < h.end for h in ann.hits):
            continue
        span = SimpleNamespace(start=start, stop=stop, text=text[start:stop])
        person = _person(text, span, ann)
        if person is not None:
            ann.people.append(person)


def _case_before(ann: Annotated, offset: int) -> str | None:
    """The case of the noun just before a name (a post in apposition agrees with it: «ректора Загеевой»)."""
    before = [t for t in ann.tokens if t.end <= offset and t.pos in ("NOUN", "ADJ", "VERB")]
    if before and offset - before[-1].end <= 12:
        return before[-1].feats.get("Case")
    return None


def _normal_family(word: str, case: str | None, gender: str | None) -> str:
    """A family name in the nominative, keeping its gender: «Загеевой» → «Загеева», «Мазура» → «Мазур»."""
    morph = _pymorphy()
    parses = [p for p in morph.parse(word) if {"Surn"} & set(p.tag.grammemes) or ("NOUN" in p.tag and "anim" in p.tag)]
    if not parses:
        return word
    want = _CASES.get(case or "")
    for pool in (
        [p for p in parses if (not want or want in p.tag) and (not gender or _gender(p) in (gender, None))],
        [p for p in parses if not gender or _gender(p) in (gender, None)],
        parses,
    ):
        if pool:
            best = max(pool, key=lambda p: ("Surn" in p.tag, p.score))
            normal = best.inflect({"nomn", "sing"}) or best.inflect({"nomn"})
            return _title(normal.word) if normal else word
    return word


def _gender(parse) -> str | None:
    if "femn" in parse.tag:
        return "Fem"
    if "masc" in parse.tag:
        return "Masc"
    return None


def _title(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))


# ---------------------------------------------------------------- posts

_ROLE_PATTERNS = [
    ("ActingRector", re.compile(r"(?:\bи\.\s*о\.\s*|\bисполняющ\w*\s+обязанности\s+)ректор[а-я]*", re.I)),
    ("Rector", re.compile(r"(?<![.\w-])ректор[а-я]*", re.I)),
    ("President", re.compile(r"\bпрезидент[а-я]*", re.I)),
    ("Head", re.compile(r"\bглав[аеуыой]{1,2}\b(?!\s+(?:[а-я]+\s+)?(?:кафедр|отдел|управлени|департамент))", re.I)),
    ("HeadOfDepartment", re.compile(r"\b(?:заведующ|руководител|завкафедр)[а-я]*\s+(?=кафедр)", re.I)),
    ("HeadOfInternationalOffice", re.compile(
        r"\b(?:начальник|руководител|директор|глав)[а-я]*\s+(?=(?:международн[а-я]+\s+(?:отдел|управлени|департамент|служб|офис)"
        r"|(?:отдел|управлени|департамент|служб)[а-я]*\s+международн))", re.I)),
    ("Teacher", re.compile(r"\bпреподавател[а-я]*(?=\s+[А-ЯЁ]\.)", re.I)),
]
_TITLE = re.compile(r"\bпрофессор[а-я]*\b", re.I)
_UNIT_PHRASE = re.compile(r"(?:кафедр|международн|отдел|управлени|департамент|служб)[а-я]*(?:\s+[а-яё][а-яё-]*){0,5}")
_UNIT_STOP = {"профессор", "профессора", "профессором", "доцент", "доцента", "доцентом", "и", "д", "к"}


def _roles(ann: Annotated) -> list[RoleMention]:
    text = ann.sentence.text
    base = ann.sentence.start
    found: list[RoleMention] = []
    taken: list[tuple[int, int]] = []
    for role, pattern in _ROLE_PATTERNS:
        for match in pattern.finditer(text):
            start, end = base + match.start(), base + match.end()
            if any(start < e and s < end for s, e in taken):
                continue
            unit_kind = unit_name = None
            if role in ("HeadOfDepartment", "HeadOfInternationalOffice"):
                unit = _UNIT_PHRASE.match(text, match.end())
                if not unit:
                    continue
                words = unit.group().split()
                keep = []
                for word in words:
                    if word.casefold() in _UNIT_STOP or (keep and _is_unit_head(word) and _is_unit_head(keep[0])
                                                         and role == "HeadOfDepartment"):
                        break
                    keep.append(word)
                unit_text = " ".join(keep)
                end = base + match.end() + len(unit_text)
                unit_kind = "Department" if role == "HeadOfDepartment" else "InternationalOffice"
                unit_name = _nominative_phrase(unit_text)
            institution = _institution_after(ann, end)
            found.append(RoleMention(start, end, ann.sentence.text[start - base:end - base], role,
                                     unit_kind=unit_kind, unit_name=unit_name, institution=institution))
            taken.append((start, end))
    for match in _TITLE.finditer(text):
        start, end = base + match.start(), base + match.end()
        if not any(start < e and s < end for s, e in taken):
            found.append(RoleMention(start, end, match.group(), title="Professor"))
    return sorted(found, key=lambda r: r.start)


def _is_unit_head(word: str) -> bool:
    return any(p.normal_form in _UNIT_HEADS for p in _pymorphy().parse(word)[:2])


def _institution_after(ann: Annotated, offset: int) -> str | None:
    for hit in ann.institutions():
        if 0 <= hit.start - offset <= 2:
            return hit.id
    return None


def _nominative_phrase(phrase: str) -> str:
    """A unit's name in the nominative: its head noun and the adjectives before it; the rest as written.

    >>> _nominative_phrase("кафедрой обработки металлов давлением")
    'кафедра обработки металлов давлением'
    >>> _nominative_phrase("международного отдела")
    'международный отдел'
    """
    morph = _pymorphy()
    words = phrase.split()
    head = next((i for i, w in enumerate(words) if any(p.normal_form in _UNIT_HEADS for p in morph.parse(w)[:3])), None)
    if head is None:
        return phrase
    head_parse = next(p for p in morph.parse(words[head]) if p.normal_form in _UNIT_HEADS)
    head_form = head_parse.inflect({"nomn", "sing"})
    gender = next((g for g in ("masc", "femn", "neut") if g in head_parse.tag), None)
    out = []
    for i, word in enumerate(words):
        if i < head:
            parse = next((p for p in morph.parse(word) if "ADJF" in p.tag), None)
            form = parse.inflect({"nomn", "sing", gender} if gender else {"nomn", "sing"}) if parse else None
            out.append(form.word if form else word)
        elif i == head:
            out.append(head_form.word if head_form else word)
        else:
            out.append(word)
    return " ".join(out)


# ---------------------------------------------------------------- grammar the fact rules ask about


def status(ann: Annotated, start: int, end: int, cue: int) -> str | None:
    """Planned, Ongoing or Completed, from the tense of the finite verb nearest to ``cue`` in ``[start, end)``.

    A perfective present is a future in Russian («приедут», «станет» → Planned); «сейчас» makes Ongoing.
    """
    tokens = ann.tokens_in(start, end)
    if any(t.lemma in ("планировать", "планироваться", "предстоять", "намереваться") for t in tokens):
        return "Planned"
    verbs = [t for t in tokens if t.pos in ("VERB", "AUX") and t.feats.get("VerbForm") in ("Fin", None)
             and t.feats.get("Tense")]
    if any(t.text.casefold() in _FUTURE_BE for t in tokens):  # the tagger sometimes calls «будут» present
        return "Planned"
    if not verbs:
        return "Ongoing" if any(t.lemma in CUES["now"] for t in tokens) else None
    nearest = min(verbs, key=lambda t: abs(t.start - cue))
    tense = nearest.feats.get("Tense")
    if tense == "Fut":
        return "Planned"
    if tense == "Pres" or any(t.lemma in CUES["now"] for t in tokens):
        return "Ongoing"
    if tense == "Past":
        return "Completed"
    return None


def number(ann: Annotated, token: Token) -> int | None:
    """The number written just before a noun («5 преподавателей», «пять студентов»)."""
    before = [t for t in ann.tokens if t.end <= token.start][-3:]
    for t in reversed(before):
        if t.text.isdigit():
            return int(t.text)
        if t.lemma in _NUMBERS:
            return _NUMBERS[t.lemma]
        if t.pos not in ("ADJ", "DET"):
            break
    return None


def nationality(ann: Annotated, token: Token) -> str | None:
    """The country (English name) of an adjective of nationality just before a noun («китайские студенты»)."""
    before = [t for t in ann.tokens if t.end <= token.start][-2:]
    for t in reversed(before):
        if t.lemma in _NATIONALITY:
            return _NATIONALITY[t.lemma]
    return None
