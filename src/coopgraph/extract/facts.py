"""Candidate facts from annotated sentences: the rules shared by Russian and English.

The language modules say what is in each sentence (registry hits, persons, posts, dates, lemmas, tense);
these rules decide which facts the sentences state, and how sure that is (``confidence``):

- **visitor**: the institution next to «делегация» / "delegation" (else the publisher);
- **visit**: sentences about a visit (not about a meeting, conference or museum); its dates are the range
  in them; hosts are the institutions named in them, else those named where the delegation met someone or
  was received in the article's later sentences; its location the most specific place named (a region
  before a city before a country); members are the persons listed in a «делегация в составе ...» sentence;
- **parts**: «Первым из них стал X» / "The first was X" (a visit to X), meetings («встреча»,
  «заседание», "meeting", "talks": one per institution in a sentence about several), site visits
  (a museum, a laboratory); a paragraph that opens with a part sets the host and place of the paragraph;
- **conference**: a name in «» or a capitalised "... Conference/Forum ..." title, its city and dates;
- **agreement**: the institutions of a sentence naming an agreement (at least two; the home institution
  completes one), signed at the conference of its paragraph, status from the tense;
- **programme**: «совместная программа» / "joint programme" with the institutions named (and the home
  institution), the field in «» or quotes, "since"/«с» year, double degree from «двойной диплом»;
- **mobility**: students or staff with a study/teaching/training word, a count written before them,
  sender from the institution after them or their nationality, receiver from the institution or city
  named, status from the tense of the nearest verb (future = planned);
- **action plan**, **topics** (registry topics whose every word is found within a few words, through
  lemmas, in a sentence about what was discussed).

Facts a rule is unsure of (confidence below the threshold) or that lack what the shapes require are
kept for the reviewer as comments, never as data.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any

from coopgraph.extract.gazetteer import Gazetteer, Hit, english_stem
from coopgraph.extract.model import Annotated, Node, PersonMention, RoleMention, Token, Unresolved
from coopgraph.resolve import name_key

__all__ = ["Context", "build_facts", "slug", "transliterate"]

_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                      "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))


def transliterate(text: str) -> str:
    """Russian letters in Latin ones (BGN-like, for ids): «Позднякова» → ``Pozdnyakova``.

    >>> transliterate("Загеева"), transliterate("Щёкино")
    ('Zageeva', 'Shchekino')
    """
    out = []
    for char in text:
        low = char.lower()
        latin = _TRANSLIT.get(low)
        if latin is None:
            out.append(char)
        else:
            out.append(latin.capitalize() if char != low and latin else latin)
    return "".join(out)


def slug(text: str, *, limit: int = 48) -> str:
    """An id fragment: Latin lower-case words joined by hyphens.

    >>> slug("Международный отдел"), slug("ActingRector")
    ('mezhdunarodnyy-otdel', 'acting-rector')
    """
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", "-", transliterate(text))
    words = re.findall(r"[a-z0-9]+", text.casefold().encode("ascii", "ignore").decode())
    out = "-".join(words)[:limit].strip("-")
    return out or "x"


@dataclass
class Person:
    node: Node
    family: str | None
    initials: str | None
    given: str | None
    role: str | None = None
    org: str | None = None
    post: str | None = None
    mentions: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Context:
    """An article being turned into facts: its sentences, language rules, registry, what is known so far."""

    text: str
    anns: list[Annotated]
    lx: ModuleType
    gazetteer: Gazetteer
    issued: str | None = None
    body: list[Annotated] = field(default_factory=list)
    home: str | None = None
    publisher: str | None = None
    visitor: str | None = None
    nodes: list[Node] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    unresolved: dict[str, Unresolved] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    units: dict[tuple[str, str, str], str] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.lx.LANG

    @property
    def month(self) -> str | None:
        return self.issued[:7] if self.issued else None

    def new_id(self, base: str) -> str:
        base = base.replace("unresolved-", "").strip("-") or "x"  # only references to the registry stay unresolved
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}-{n}", n + 1
        self.taken.add(candidate)
        return candidate

    def quote(self, *anns: Annotated) -> dict[str, Any]:
        texts = list(dict.fromkeys(a.sentence.text for a in anns))
        return {self.lang: texts[0] if len(texts) == 1 else texts}

    def en(self, kind: str, entity: str) -> str:
        return self.gazetteer.name(kind, entity, "en")

    def cue(self, ann: Annotated, name: str) -> list[Token]:
        words = self.lx.CUES[name]
        return [t for t in ann.tokens if t.lemma in words or t.text.casefold() in words]

    def city_of(self, institution: str | None) -> str | None:
        info = self.gazetteer.institutions.get(institution or "")
        return info.city if info else None


# ---------------------------------------------------------------- the article as a whole


def build_facts(ctx: Context, *, title: str | None, skip: set[int]) -> list[Node]:
    """Every candidate fact of the article, as nodes of the draft (people and units first)."""
    ctx.body = [a for a in ctx.anns if a.sentence.index not in skip and a.sentence.text != title]
    _unresolved(ctx)
    _home(ctx)
    _visitor(ctx)
    _people(ctx)
    conferences = _conferences(ctx)
    programmes = _programmes(ctx)
    mobility = _mobility(ctx, programmes)
    plans = _plans(ctx)
    parts = _parts(ctx, plans)
    visit = _visit(ctx, parts, conferences)
    agreements = _agreements(ctx, conferences)
    events = ([visit] if visit else []) + [p for p in parts if visit is None]
    return ctx.nodes + events + conferences + agreements + programmes + mobility + plans


def _unresolved(ctx: Context) -> None:
    for ann in ctx.body:
        for org in ann.unknown:
            key = "unresolved-" + slug(org.normal, limit=40)
            entry = ctx.unresolved.get(key)
            if entry is None:
                names = [org.normal] + ([org.acronym] if org.acronym else [])
                ctx.unresolved[key] = Unresolved(key, names, org.acronym, org.message, org.start, org.end)
            ann.hits.append(Hit(org.start, org.end, org.text, "institution", key))
        ann.hits.sort(key=lambda h: h.start)
        ann.roles = [_role_institution(ann, r) for r in ann.roles]


def _role_institution(ann: Annotated, role: RoleMention) -> RoleMention:
    """A post's institution when it is written right after it («ректора ЛГТУ», "rector of LSTU")."""
    if role.institution or not role.role:
        return role
    rest = ann.sentence.text[role.end - ann.sentence.start:]
    gap = re.match(r"\s*(?:(?:of|at|from)\s+(?:the\s+)?)?", rest)
    start = role.end + (gap.end() if gap else 0)
    for hit in ann.institutions():
        if hit.start == start:
            return replace(role, institution=hit.id)
    return role


def _home(ctx: Context) -> None:
    """The publisher: an institution that is the whole of the last line (a signature), or after "Source:"."""
    if ctx.anns:
        last = ctx.anns[-1]
        hits = last.institutions()
        covered = sum(h.end - h.start for h in hits)
        if hits and len(last.sentence.text) <= 160 and covered >= 0.6 * len(re.sub(r"[\s().,©]", "", last.sentence.text)):
            ctx.publisher = hits[0].id
    if ctx.publisher is None:
        for ann in ctx.anns[:3] + ctx.anns[-3:]:
            match = re.match(r"\s*(?:source|published by|press office of|источник|пресс-служба)\b", ann.sentence.text, re.I)
            if match and ann.institutions():
                ctx.publisher = ann.institutions()[0].id
                break
    counts = Counter(h.id for a in ctx.body for h in a.institutions())
    ctx.home = ctx.publisher or (counts.most_common(1)[0][0] if counts else None)


def _visitor(ctx: Context) -> None:
    votes: Counter[str] = Counter()
    for ann in ctx.body:
        for token in ctx.cue(ann, "delegation"):
            near = _institution_near(ann, token)
            if near:
                votes[near] += 1
    ctx.visitor = votes.most_common(1)[0][0] if votes else None


def _institution_near(ann: Annotated, token: Token) -> str | None:
    text, base = ann.sentence.text, ann.sentence.start
    for hit in ann.institutions():
        between = text[token.end - base:hit.start - base] if hit.start >= token.end else text[hit.end - base:token.start - base]
        if hit.start >= token.end and re.fullmatch(r"\s*(?:(?:of|from)\s+(?:the\s+)?)?", between):
            return hit.id
        if hit.end <= token.start and re.fullmatch(r"\s*(?:['’]s\s+)?", between):
            return hit.id
    return None


# ---------------------------------------------------------------- people and posts


def _attached(ann: Annotated, person: PersonMention) -> list[RoleMention]:
    """Posts and titles written right before a person (a chain) or right after, in apposition."""
    text, base = ann.sentence.text, ann.sentence.start
    out = []
    pointer = person.start
    for role in sorted(ann.roles, key=lambda r: -r.end):
        gap = text[role.end - base:pointer - base]
        for hit in ann.institutions(role.end, pointer):
            gap = gap.replace(hit.text, "", 1)
        if role.end <= pointer and re.fullmatch(r"\s*(?:(?:of|at)\s+(?:the\s+)?)?[\s,]*", gap) and len(gap) <= 8:
            out.append(role)
            pointer = role.start
    if not any(r.role for r in out):
        pointer = person.end
        for role in sorted(ann.roles, key=lambda r: r.start):
            gap = text[pointer - base:role.start - base]
            if role.start >= pointer and re.fullmatch(r"\s*,?\s*(?:the\s+|and\s+)?", gap):
                out.append(role)
                pointer = role.end
                tail = re.match(r"\s*(?:of|at)\s+(?:the\s+)?", text[pointer - base:])
                if tail:
                    pointer += tail.end()
                    for hit in ann.institutions():
                        if hit.start == pointer:
                            pointer = hit.end
    return out


def _people(ctx: Context) -> None:
    used_roles: set[tuple[int, int]] = set()
    for ann in ctx.body:
        delegation = bool(ctx.cue(ann, "delegation"))
        for mention in ann.people:
            roles = _attached(ann, mention)
            used_roles.update((r.start, r.end) for r in roles)
            post = next((r for r in roles if r.role and r.role != "Head"), None)
            title = next((r.title for r in roles if r.title), None)
            if mention.family is None:
                _given_only(ctx, ann, mention)
                continue
            org = None
            if post is not None:
                org = post.institution or (ctx.visitor if delegation and ctx.visitor else ctx.home)
            person = _person(ctx, ann, mention, title)
            if post is not None and org is not None and person.role is None:
                _post(ctx, ann, person, post, org, explicit=post.institution is not None)
    for ann in ctx.body:
        for role in ann.roles:
            if (role.start, role.end) in used_roles or not role.role or role.institution is None:
                continue
            found = _coreferent(ctx, role)
            if found is not None:
                found.mentions.append((ann.sentence.start, ann.sentence.end))
                continue
            if role.role in ("Rector", "ActingRector", "President"):
                base = f"{role.institution.removeprefix('unresolved-')}-{slug(role.role)}-{(ctx.issued or '')[:4]}"
                node = Node("Person", {"id": ctx.new_id(base.strip("-")), "type": "Person"}, 0.8,
                            [(ann.sentence.start, ann.sentence.end)])
                node.notes.append("a post whose holder the text does not name")
                person = Person(node, None, None, None)
                person.mentions.append((ann.sentence.start, ann.sentence.end))
                ctx.people.append(person)
                ctx.nodes.append(node)
                node.fields["quote"] = ctx.quote(ann)
                _post(ctx, ann, person, role, role.institution, explicit=True)


def _coreferent(ctx: Context, role: RoleMention) -> Person | None:
    for person in ctx.people:
        if person.org != role.institution:
            continue
        if person.role == role.role or (role.role == "Head" and person.role in ("Rector", "ActingRector", "President")):
            return person
    return None


def _given_only(ctx: Context, ann: Annotated, mention: PersonMention) -> None:
    if not mention.initials:
        return
    letters = re.sub(r"[^\w]", "", mention.initials)
    for person in ctx.people:
        if person.initials and re.sub(r"[^\w]", "", person.initials) == letters and person.family:
            if mention.given and not person.given:
                person.given = mention.given
                person.node.fields["name"] = {ctx.lang: f"{mention.given} {person.family}"}
                person.node.fields["givenName"] = {ctx.lang: mention.given}
                _add_quote(ctx, person.node, ann)
                person.node.fields = _person_order(person.node.fields)
            person.mentions.append((ann.sentence.start, ann.sentence.end))
            return


def _add_quote(ctx: Context, node: Node, ann: Annotated) -> None:
    span = (ann.sentence.start, ann.sentence.end)
    if span in node.evidence:
        return
    node.evidence.append(span)
    texts = node.fields.get("quote", {}).get(ctx.lang)
    texts = [texts] if isinstance(texts, str) else list(texts or [])
    texts.append(ann.sentence.text)
    node.fields["quote"] = {ctx.lang: texts[0] if len(texts) == 1 else texts}


def _person(ctx: Context, ann: Annotated, mention: PersonMention, title: str | None) -> Person:
    assert mention.family is not None
    for person in ctx.people:
        if person.family and person.family.casefold() == mention.family.casefold():
            person.mentions.append((ann.sentence.start, ann.sentence.end))
            _add_quote(ctx, person.node, ann)
            return person
    display = " ".join(p for p in (mention.given or mention.initials, mention.family) if p)
    fields: dict[str, Any] = {"id": ctx.new_id(slug(mention.family)), "type": "Person",
                              "name": {ctx.lang: display}, "familyName": {ctx.lang: mention.family}}
    if mention.given:
        fields["givenName"] = {ctx.lang: mention.given}
    if title:
        fields["academicTitle"] = title
    fields["quote"] = ctx.quote(ann)
    node = Node("Person", fields, 0.6, [(ann.sentence.start, ann.sentence.end)])
    node.notes.append("no post found for this person" if not title else "")
    person = Person(node, mention.family, mention.initials, mention.given)
    person.mentions.append((ann.sentence.start, ann.sentence.end))
    ctx.people.append(person)
    ctx.nodes.append(node)
    return person


def _unit(ctx: Context, kind: str, institution: str, name: str) -> str:
    key = (kind, institution, name.casefold())
    if key in ctx.units:
        return ctx.units[key]
    words = {"Department": "department", "InternationalOffice": "international-office", "Museum": "museum"}
    base = f"{institution}-{words.get(kind, 'unit')}"
    if kind == "Department":
        base += "-" + slug(re.sub(r"^(?:кафедр\w*|department\s+of|chair\s+of)\s+", "", name, flags=re.I), limit=30)
    unit_id = ctx.new_id(base)
    ctx.units[key] = unit_id
    ctx.nodes.insert(0, Node(kind, {"id": unit_id, "type": kind, "name": {ctx.lang: name}, "unitOf": institution}, 0.9))
    return unit_id


def _post(ctx: Context, ann: Annotated, person: Person, role: RoleMention, org: str, *, explicit: bool) -> None:
    assert role.role is not None
    organization = org
    if role.unit_kind and role.unit_name:
        organization = _unit(ctx, role.unit_kind, org, role.unit_name)
    post_id = ctx.new_id(f"{person.node.id}-{slug(role.role)}-{org}")
    post: dict[str, Any] = {"id": post_id, "type": "Post", "organization": organization, "role": role.role}
    if ctx.month:
        post["heldIn"] = ctx.month
    person.node.fields["posts"] = [Node("Post", post)]
    person.node.fields = _person_order(person.node.fields)
    person.node.confidence = 0.9 if explicit else 0.8
    person.node.notes = [] if explicit else [
        f"the post's institution is not written next to it: taken to be {org} (the "
        f"{'visiting institution' if org == ctx.visitor else 'publisher'})"]
    person.role, person.org, person.post = role.role, org, post_id


def _person_order(fields: dict[str, Any]) -> dict[str, Any]:
    order = ("id", "type", "name", "familyName", "givenName", "academicTitle", "quote", "posts")
    return {k: fields[k] for k in sorted(fields, key=lambda k: order.index(k) if k in order else len(order))}


def _people_in(ctx: Context, ann: Annotated) -> list[Person]:
    span = (ann.sentence.start, ann.sentence.end)
    return [p for p in ctx.people if span in p.mentions]


# ---------------------------------------------------------------- events


def _best_place(ctx: Context, hits: list[Hit], order: tuple[str, ...] = ("City", "Region", "Country")) -> str | None:
    for kind in order:
        for hit in hits:
            if ctx.gazetteer.places.get(hit.id) and ctx.gazetteer.places[hit.id].kind == kind:
                return hit.id
    return None


_QUOTED = re.compile(r"[«\"“]([^»\"”]{3,200})[»\"”]")
_EVENT_TITLE = re.compile(
    r"(?:[A-Z][\w-]*\s+){0,4}(?:Conference|Forum|Symposium|Congress|Summit|Workshop)\b(?:[\s,]+(?:on|of|for|and|the|in|[A-Z][\w-]*|\d{4})\b)*"
)


def _conferences(ctx: Context) -> list[Node]:
    out = []
    for ann in ctx.body:
        cues = _conference_cues(ctx, ann)
        if not cues:
            continue
        text = ann.sentence.text
        name = None
        for match in _EVENT_TITLE.finditer(text):
            candidate = match.group().strip(" ,")
            candidate = re.sub(r"(?:\s+(?:on|of|for|and|the|in))+$", "", candidate)
            if len(candidate.split()) >= 2:
                name = candidate
                break
        if name is None:
            quoted = _QUOTED.search(text, cues[0].end - ann.sentence.start)
            if quoted and quoted.start() - (cues[0].end - ann.sentence.start) <= 40:
                name = quoted.group(1)
        dates = [d for d in ann.dates if d.kind in ("range", "day")]
        place = _best_place(ctx, ann.places())
        initials = "".join(w[0] for w in re.findall(r"[A-ZА-ЯЁ][\w-]*", name or "") if w[0].isalpha()).lower()
        year = re.search(r"(?:19|20)\d\d", name or "") or (re.match(r"\d{4}", dates[0].start_date) if dates else None)
        base = slug(transliterate(initials), limit=12) + (f"-{year.group()}" if year else "") if initials else "conference"
        fields: dict[str, Any] = {"id": ctx.new_id(base), "type": "Conference"}
        if name:
            fields["name"] = {"en" if re.fullmatch(r"[\x00-\x7f]+", name) else ctx.lang: name}
        if place:
            fields["location"] = place
        if dates:
            fields["startDate"] = dates[0].start_date
            if dates[0].end_date:
                fields["endDate"] = dates[0].end_date
        fields["quote"] = ctx.quote(ann)
        node = Node("Conference", fields, 0.85, [(ann.sentence.start, ann.sentence.end)])
        node.paragraph = ann.sentence.paragraph  # type: ignore[attr-defined]
        node.ann = ann  # type: ignore[attr-defined]
        missing = [k for k, ok in (("a name", name), ("a place from the registry", place)) if not ok]
        if missing:
            node.confidence = 0.4
            node.notes.append(f"a conference needs {' and '.join(missing)}: none found in the sentence")
        out.append(node)
    return out


def _conference_cues(ctx: Context, ann: Annotated) -> list[Token]:
    """Words naming a conference: «конференция», "forum"..., or an English title ("... Conference on ...")."""
    cues = ctx.cue(ann, "conference")
    if not cues:
        for match in _EVENT_TITLE.finditer(ann.sentence.text):
            if len(match.group().split()) >= 2:
                start = ann.sentence.start + match.start()
                cues = [t for t in ann.tokens if t.start >= start][:1]
                break
    return cues


def _context_host(ctx: Context, parts: list[tuple[Node, Annotated]], ann: Annotated) -> tuple[str | None, str | None]:
    """The host and place set by the part that opened this paragraph (a sub-visit), if any."""
    for node, where in reversed(parts):
        if where.sentence.paragraph == ann.sentence.paragraph and where.sentence.index <= ann.sentence.index \
                and node.kind == "Visit":
            return node.fields.get("host"), node.fields.get("location")
    return None, None


def _parts(ctx: Context, plans: list[Node]) -> list[Node]:
    """Sub-visits, meetings and site visits, in the order of the text."""
    found: list[tuple[Node, Annotated]] = []
    visitor = ctx.visitor or ctx.home
    for ann in ctx.body:
        if _conference_cues(ctx, ann):
            continue
        meeting_cues = ctx.cue(ann, "meeting")
        site_cues = ctx.cue(ann, "site")
        visit_cues = ctx.cue(ann, "visit")
        others = [h for h in ann.institutions() if h.id not in (visitor, ctx.home)]
        evidence = [(ann.sentence.start, ann.sentence.end)]
        ordinal = next((ctx.lx.ORDINALS[t.lemma] for t in ann.tokens if t.lemma in ctx.lx.ORDINALS), None)
        if ordinal and others and not meeting_cues and not ctx.cue(ann, "agreement") and visitor:
            host = others[0].id
            place = _best_place(ctx, ann.places()) or ctx.city_of(host)
            fields: dict[str, Any] = {"id": ctx.new_id(f"{visitor}-visit-{host}"), "type": "Visit",
                                      "name": {"en": f"{ctx.en('institution', visitor)} delegation at "
                                                     f"{ctx.en('institution', host)}"},
                                      "visitor": visitor, "host": host}
            if place:
                fields["location"] = place
            if ordinal:
                fields["order"] = str(ordinal)
            fields["quote"] = ctx.quote(ann)
            found.append((Node("Visit", fields, 0.75, evidence), ann))
            continue
        if site_cues and visit_cues:
            context_host, context_place = _context_host(ctx, found, ann)
            after = [h for h in ann.institutions() if h.start >= site_cues[0].end]
            host = after[0].id if after and after[0].start - site_cues[0].end <= 3 else context_host
            place = _best_place(ctx, ann.places()) or context_place or ctx.city_of(host)
            fields = {"id": ctx.new_id(f"{host or 'site'}-{slug(site_cues[0].lemma)}-visit"), "type": "SiteVisit"}
            where = ctx.en("institution", host) + " " if host else ""
            fields["name"] = {"en": f"Visit to the {where}{english_site(site_cues[0])}"}
            if place:
                fields["location"] = place
            if host:
                kind = "Museum" if site_cues[0].lemma in ("музей", "museum") else "Unit"
                fields["visited"] = _unit(ctx, kind, host, f"{ctx.en('institution', host)} {english_site(site_cues[0])}"
                                          if ctx.lang == "en" else _site_name(ann, site_cues[0]))
            attendees = [p.node.id for p in _people_in(ctx, ann)]
            if attendees:
                fields["attendee"] = attendees
            fields["quote"] = ctx.quote(ann)
            site = Node("SiteVisit", fields, 0.75 if host else 0.45, evidence)
            site.site, site.ann = site_cues[0], ann  # type: ignore[attr-defined]
            if not host:
                site.notes.append("no institution named for the place visited")
            found.append((site, ann))
            continue
        if not meeting_cues:
            continue
        context_host, context_place = _context_host(ctx, found, ann)
        hosts = list(dict.fromkeys(h.id for h in others))
        plural = any(t.feats.get("Number") == "Plur" or (ctx.lang == "en" and t.text.casefold().endswith("s"))
                     for t in meeting_cues)
        groups = [[h] for h in hosts] if plural and len(hosts) > 1 else [hosts]
        sentence_place = _best_place(ctx, ann.places())
        for group in groups:
            group = group or ([context_host] if context_host else [])
            place = sentence_place or (ctx.city_of(group[0]) if len(group) == 1 else None) or context_place
            host_name = ctx.en("institution", group[0]) if len(group) == 1 else None
            fields = {"id": ctx.new_id(f"{group[0] if len(group) == 1 else 'meeting'}-meeting"
                                       + (f"-{ctx.month}" if ctx.month else "")), "type": "Meeting"}
            if host_name:
                fields["name"] = {"en": f"Meeting at {host_name}"}
            if group:
                fields["host"] = group if len(group) > 1 else group[0]
            if place:
                fields["location"] = place
            days = [d for d in ann.dates if d.kind == "day"]
            if len(days) == 1:
                fields["startDate"] = days[0].start_date
            attendees = [p.node.id for p in _people_in(ctx, ann)]
            if attendees:
                fields["attendee"] = attendees
            fields["quote"] = ctx.quote(ann)
            found.append((Node("Meeting", fields, 0.75 if (group or place) else 0.45, list(evidence)), ann))
    _topics(ctx, found)
    for node, ann in found:
        if node.kind == "Meeting":
            for plan in plans:
                if plan.paragraph == ann.sentence.paragraph:  # type: ignore[attr-defined]
                    node.fields["expectedOutcome"] = plan.id
        node.fields = _quote_last(node.fields)
        node.paragraph = ann.sentence.paragraph  # type: ignore[attr-defined]
        node.index = ann.sentence.index  # type: ignore[attr-defined]
    return [n for n, _ in found]


def english_site(token: Token) -> str:
    names = {"музей": "museum", "лаборатория": "laboratory", "завод": "plant", "предприятие": "company",
             "кампус": "campus", "выставка": "exhibition"}
    return names.get(token.lemma, token.lemma)


def _site_name(ann: Annotated, token: Token) -> str:
    following = ann.sentence.text[token.start - ann.sentence.start:].split()[:2]
    return " ".join(following).strip(",.;:") if len(following) == 2 else token.text


def _quote_last(fields: dict[str, Any]) -> dict[str, Any]:
    order = [k for k in fields if k not in ("quote", "parts", "participation")]
    return {k: fields[k] for k in order + [k for k in ("quote", "participation", "parts") if k in fields]}


def _topics(ctx: Context, parts: list[tuple[Node, Annotated]]) -> None:
    for ann in ctx.body:
        if not ctx.cue(ann, "discuss"):
            continue
        found = _topic_ids(ctx, ann)
        if not found:
            continue
        targets = [n for n, a in parts if n.kind == "Meeting" and a.sentence.paragraph == ann.sentence.paragraph
                   and a.sentence.index <= ann.sentence.index]
        if targets:
            last = max(a.sentence.index for n, a in parts if n in targets)
            targets = [n for n, a in parts if n in targets and a.sentence.index == last]
        for node in targets:
            node.fields["topic"] = found
            _add_evidence(ctx, node, ann)


def _topic_ids(ctx: Context, ann: Annotated) -> list[str]:
    def forms(word: str) -> frozenset[str]:
        if ctx.lang == "en":
            return frozenset({english_stem(word)})
        key = name_key(word)
        return key[0] if key else frozenset()

    words = [t for t in ann.tokens if t.text[:1].isalnum()]
    token_forms = [forms(t.text) for t in words]
    out = []
    for topic in ctx.gazetteer.topics.values():
        name = topic.names.get(ctx.lang)
        if not name:
            continue
        wanted = [forms(w) for w in re.findall(r"[^\W_]+", name)]
        positions = []
        for want in wanted:
            positions.append([i for i, f in enumerate(token_forms) if f & want])
        if not all(positions):
            continue
        for anchor in positions[0]:
            picks = [anchor]
            for later in positions[1:]:  # the topic's words, in its order, close together
                following = [i for i in later if i > picks[-1]]
                if not following:
                    break
                picks.append(min(following))
            if len(picks) == len(positions) and picks[-1] - picks[0] <= 6:
                out.append(topic.id)
                break
    return out


def _add_evidence(ctx: Context, node: Node, ann: Annotated) -> None:
    _add_quote(ctx, node, ann)
    node.fields = _quote_last(node.fields)


def _give_host(ctx: Context, part: Node, host: str, values: dict[str, str]) -> None:
    """Complete a part of a visit with the visit's only host (and that host's city)."""
    fields = {k: v for k, v in part.fields.items() if k != "quote"}
    fields.update(values)
    if "location" not in fields and ctx.city_of(host):
        fields["location"] = ctx.city_of(host)
    fields["quote"] = part.fields["quote"]
    part.fields = fields
    part.confidence = max(part.confidence, 0.65)
    part.notes.append(f"the text names no host here: taken to be {host}, the host of the visit")


def _visit(ctx: Context, parts: list[Node], conferences: list[Node]) -> Node | None:
    visitor = ctx.visitor or ctx.home
    sentences = _visit_sentences(ctx)
    if not sentences or visitor is None:
        return None
    dated = next((a for a in sentences if any(d.kind in ("range", "day", "month") for d in a.dates)), None)
    first = sentences[0].sentence.index
    hosts = [h.id for a in sentences for h in a.institutions() if h.id not in (visitor,)]
    named_hosts = bool(hosts)
    if not hosts:
        hosts = [p.fields["host"] for p in parts if p.fields.get("host") and p.index >= first]  # type: ignore[attr-defined]
        hosts = [h for group in hosts for h in (group if isinstance(group, list) else [group]) if h != visitor]
    hosts = list(dict.fromkeys(hosts))
    fields: dict[str, Any] = {"id": "", "type": "Visit"}
    place = _best_place(ctx, [h for a in sentences for h in a.places()], ("Region", "City", "Country"))
    fields["name"] = {"en": f"Visit of the {ctx.en('institution', visitor)} delegation"
                      + (f" to {ctx.en('place', place)}" if place else "")}
    if any(ctx.cue(a, "official") for a in sentences):
        fields["official"] = "true"
    fields["visitor"] = visitor
    if hosts:
        fields["host"] = hosts if len(hosts) > 1 else hosts[0]
    if place:
        fields["location"] = place
    start = None
    if dated is not None:
        date = next(d for d in dated.dates if d.kind in ("range", "day", "month"))
        start = date.start_date
        fields["startDate"] = date.start_date
        if date.end_date:
            fields["endDate"] = date.end_date
    where = slug(ctx.en("place", place)) if place else "trip"
    fields["id"] = ctx.new_id(f"{visitor}-visit-{where}-{(start or ctx.month or '')[:7]}".strip("-"))
    node = Node("Visit", fields, 0.9 if named_hosts and start else 0.8 if hosts and start else 0.4,
                [(a.sentence.start, a.sentence.end) for a in sentences])
    if not named_hosts and hosts:
        node.notes.append("hosts not named in the sentences about the visit: taken from the meetings and "
                          "parts of the visit that the article goes on to describe")
    if not start:
        node.notes.append("no date of the visit in the text: a visit needs a startDate")
    if not hosts:
        node.notes.append("no host institution named")
    fields["quote"] = ctx.quote(*sentences)
    members = []
    for ann in ctx.body:
        if ctx.cue(ann, "delegation") and not _conference_cues(ctx, ann):
            for person in _people_in(ctx, ann):
                if person.org not in (None, visitor):
                    continue  # someone the delegation met, not a member
                entry: dict[str, Any] = {"type": "Participation", "participant": person.node.id,
                                         "roleInEvent": "DelegationMember"}
                if person.post:
                    entry["inCapacityOf"] = person.post
                if person.node.id not in [m.fields["participant"] for m in members]:
                    members.append(Node("Participation", entry))
    if members:
        fields["participation"] = members
    attended = []
    for conference in conferences:
        ann = conference.ann  # type: ignore[attr-defined]
        if ctx.cue(ann, "participate") and (ctx.cue(ann, "delegation") or visitor in [h.id for h in ann.institutions()]):
            attended.append(conference.id)
    if attended:
        fields["attended"] = attended if len(attended) > 1 else attended[0]
    later = [p for p in parts if p.index >= first]  # type: ignore[attr-defined]
    if len(hosts) == 1:
        for part in later:
            if part.kind == "Meeting" and "host" not in part.fields:
                _give_host(ctx, part, hosts[0], {"host": hosts[0]})
            elif part.kind == "SiteVisit" and "visited" not in part.fields and getattr(part, "site", None) is not None:
                kind = "Museum" if part.site.lemma in ("музей", "museum") else "Unit"  # type: ignore[attr-defined]
                name = _site_name(part.ann, part.site) if ctx.lang == "ru" else \
                    f"{ctx.en('institution', hosts[0])} {english_site(part.site)}"  # type: ignore[attr-defined]
                _give_host(ctx, part, hosts[0], {"visited": _unit(ctx, kind, hosts[0], name)})
    if start and later:
        end = fields.get("endDate", start)
        month = start[:7] if start[:7] == end[:7] else start[:4]
        for part in later:
            if part.kind == "Visit":
                part.fields = {**{k: v for k, v in part.fields.items() if k not in ("quote", "order")},
                               "startDate": month, **({"order": part.fields["order"]} if "order" in part.fields else {}),
                               "quote": part.fields["quote"]}
    for part in later:
        if part.kind == "Visit" and "startDate" not in part.fields:
            part.confidence = min(part.confidence, 0.4)
            part.notes.append("no date for this part of the visit")
    if later:
        fields["parts"] = later
    node.fields = _quote_last(fields)
    return node


# ---------------------------------------------------------------- agreements, programmes, mobility, plans


_COLLECTIVE = re.compile(r"\b(?:the\s+(?:two\s+)?(?:parties|sides|universities|institutions)|"
                         r"both\s+(?:parties|sides|universities)|"
                         r"сторон[аыу]?|оба\s+вуза|обе\s+стороны|вузы|университеты)\b", re.I)


def _collective(ctx: Context, ann: Annotated) -> list[str]:
    """The visit's institutions, when a sentence names its parties together ("the two universities", «стороны»)."""
    if not _COLLECTIVE.search(ann.sentence.text):
        return []
    visitor = ctx.visitor or ctx.home
    sentences = _visit_sentences(ctx)
    hosts = [h.id for a in sentences for h in a.institutions() if h.id != visitor]
    return list(dict.fromkeys([visitor] + hosts)) if visitor and hosts else []


def _visit_sentences(ctx: Context) -> list[Annotated]:
    return [a for a in ctx.body if (ctx.cue(a, "visit") or (ctx.cue(a, "delegation") and any(
        d.kind == "range" for d in a.dates))) and not ctx.cue(a, "meeting") and not _conference_cues(ctx, a)
        and not ctx.cue(a, "site")]


def _agreements(ctx: Context, conferences: list[Node]) -> list[Node]:
    out = []
    for ann in ctx.body:
        cues = ctx.cue(ann, "agreement")
        if not cues:
            continue
        parties = list(dict.fromkeys(h.id for h in ann.institutions()))
        if len(parties) < 2 and len(_collective(ctx, ann)) >= 2:
            parties = _collective(ctx, ann)
        completed_by_home = False
        if len(parties) == 1 and ctx.home and ctx.home not in parties:
            parties.insert(0, ctx.home)
            completed_by_home = True
        if len(parties) < 2:
            continue
        paragraph = [a for a in ctx.body if a.sentence.paragraph == ann.sentence.paragraph]
        if ctx.cue(ann, "memorandum"):
            kind = "MemorandumOfUnderstanding"
        elif any(ctx.cue(a, "cooperation") for a in paragraph):
            kind = "CooperationAgreement"
        else:
            kind = "Agreement"
        fields: dict[str, Any] = {"id": ctx.new_id(f"{'-'.join(parties[:2])}-agreement-{(ctx.issued or '')[:4]}".strip("-")),
                                  "type": kind,
                                  "name": {"en": f"Agreement between {' and '.join(ctx.en('institution', p) for p in parties)}"},
                                  "party": parties}
        signed_at = next((c for c in conferences if c.paragraph == ann.sentence.paragraph  # type: ignore[attr-defined]
                          and c.ann.sentence.index <= ann.sentence.index), None)  # type: ignore[attr-defined]
        if signed_at is not None and signed_at.confidence >= 0.5:
            fields["signedAt"] = signed_at.id
        day = next((d for d in ann.dates if d.kind == "day"), None)
        if day:
            fields["signedOn"] = day.start_date
        clause = _clause_of(ann, cues[0])
        state = ctx.lx.status(ann, clause[0], clause[1], cues[0].start)
        if state:
            fields["status"] = state
        fields["quote"] = ctx.quote(ann)
        node = Node(kind, fields, 0.7 if completed_by_home else 0.85, [(ann.sentence.start, ann.sentence.end)])
        if completed_by_home:
            node.notes.append(f"one party named; the other taken to be {ctx.home} (the publisher)")
        out.append(node)
    return out


def _clause_of(ann: Annotated, token: Token, *, broad: bool = False) -> tuple[int, int]:
    from coopgraph.extract.text import clauses

    for start, end in clauses(ann.sentence, broad=broad):
        if start <= token.start < end:
            return start, end
    return ann.sentence.start, ann.sentence.end


_FIELD = {
    "ru": re.compile(r"(?:направлени\w*|специальност\w*|профил\w*|программ\w*|по)\s+[«\"“]([^»\"”]{2,80})[»\"”]"),
    "en": re.compile(r"(?:in|of|on)\s+(?:the\s+field\s+of\s+)?(?:[\"“]([^\"”]{2,80})[\"”]|"
                     r"([A-Z][\w-]*(?:\s+(?:and\s+)?[A-Z][\w-]*){0,4})(?=\s*(?:,|\.|\(|$|that|which|where|programme|program|with)))"),
}


def _programmes(ctx: Context) -> list[Node]:
    out = []
    for ann in ctx.body:
        cues = ctx.cue(ann, "programme")
        if not cues or ctx.cue(ann, "discuss") or not (ctx.cue(ann, "joint") or ctx.cue(ann, "double")):
            continue
        providers = list(dict.fromkeys(h.id for h in ann.institutions()))
        if len(providers) < 2 and len(_collective(ctx, ann)) >= 2:
            providers = _collective(ctx, ann)
        home_added = False
        if ctx.home and ctx.home not in providers and len(providers) == 1:
            providers.insert(0, ctx.home)
            home_added = True
        if len(providers) < 2:
            continue
        double = bool(ctx.cue(ann, "double")) and bool(ctx.cue(ann, "diploma"))
        kind = "DoubleDegreeProgramme" if double else "JointProgramme"
        field_name = None
        for field_match in _FIELD[ctx.lang].finditer(ann.sentence.text, max(0, cues[0].start - ann.sentence.start - 60)):
            candidate = next(g for g in field_match.groups() if g)
            at = ann.sentence.start + field_match.start(field_match.lastindex or 1)
            if not any(h.start <= at < h.end for h in ann.hits):
                field_name = candidate
                break
        topic = slug(transliterate(field_name or "joint"), limit=20)
        base = f"{'-'.join(providers[:2])}-{topic}-{'double-degree' if double else 'programme'}"
        fields: dict[str, Any] = {"id": ctx.new_id(base), "type": kind}
        label = f"{' and '.join(ctx.en('institution', p) for p in providers)} {'double-degree' if double else 'joint'} programme"
        fields["name"] = {"en": label + (f" in {field_name}" if field_name and ctx.lang == "en" else "")}
        fields["provider"] = providers
        if field_name:
            fields["fieldOfStudy"] = {ctx.lang: field_name}
        place = _best_place(ctx, ann.places(), ("City",))
        if place:
            fields["location"] = place
        since = next((d for d in ann.dates if d.kind in ("since", "year", "relative")), None)
        if since:
            fields["startDate"] = since.start_date
        clause = _clause_of(ann, cues[0])
        state = ctx.lx.status(ann, clause[0], clause[1], cues[0].start)
        if state:
            fields["status"] = state
        fields["quote"] = ctx.quote(ann)
        node = Node(kind, fields, 0.8 if home_added else 0.85, [(ann.sentence.start, ann.sentence.end)])
        if home_added:
            node.notes.append(f"one provider named; the other taken to be {ctx.home} (the publisher)")
        node.paragraph = ann.sentence.paragraph  # type: ignore[attr-defined]
        out.append(node)
    return out


def _mobility(ctx: Context, programmes: list[Node]) -> list[Node]:
    out = []
    for ann in ctx.body:
        students = ctx.cue(ann, "students")
        staff = ctx.cue(ann, "staff")
        for person_token in students + staff:
            clause = _clause_of(ann, person_token, broad=True)
            in_clause = ann.tokens_in(*clause)
            words = {t.lemma for t in in_clause} | {t.text.casefold() for t in in_clause}
            is_student = person_token in students
            if is_student:
                if words & ctx.lx.CUES["training"]:
                    kind = "StudentTraineeship"
                elif words & ctx.lx.CUES["study"]:
                    kind = "StudentStudies"
                else:
                    continue
            else:
                if words & ctx.lx.CUES["teach"]:
                    kind = "StaffTeaching"
                elif words & ctx.lx.CUES["training"]:
                    kind = "StaffTraining"
                else:
                    continue
            if any(n.evidence == [(ann.sentence.start, ann.sentence.end)] and n.fields["mobilityKind"] == kind for n in out):
                continue
            node = _one_mobility(ctx, ann, person_token, clause, kind, programmes)
            if node is not None:
                out.append(node)
    return out


def _one_mobility(ctx: Context, ann: Annotated, who: Token, clause: tuple[int, int], kind: str,
                  programmes: list[Node]) -> Node | None:
    text, base = ann.sentence.text, ann.sentence.start
    sender = None
    for hit in ann.institutions(*clause):
        between = text[who.end - base:hit.start - base]
        if 0 <= hit.start - who.end <= 8 and re.fullmatch(r"\s*(?:(?:of|from)\s+(?:the\s+)?)?", between):
            sender = hit.id
        elif 0 <= who.start - hit.end <= 3:
            sender = hit.id
    home_words = [t for t in ann.tokens_in(*clause) if t.lemma in ctx.lx.CUES["home"] and 0 <= who.start - t.end <= 12]
    if sender is None and home_words:
        sender = ctx.home
    country = ctx.lx.nationality(ann, who)
    paragraph_hits = [h.id for a in ctx.body if a.sentence.paragraph == ann.sentence.paragraph for h in a.institutions()]
    if sender is None and country:
        place = next((p.id for p in ctx.gazetteer.places.values() if p.kind == "Country" and p.names.get("en") == country), None)
        candidates = [i for i in dict.fromkeys(paragraph_hits)
                      if ctx.gazetteer.institutions.get(i) and ctx.gazetteer.institutions[i].country == place]
        if len(candidates) == 1:
            sender = candidates[0]
    receiver = None
    for hit in ann.institutions(*clause):
        if hit.id != sender:
            receiver = hit.id
    if receiver is None:
        for place in ann.places(*clause):
            located = [i for i in dict.fromkeys(paragraph_hits + [h.id for a in ctx.body for h in a.institutions()])
                       if ctx.city_of(i) == place.id and i != sender]
            if located:
                receiver = located[0]
                break
    count = ctx.lx.number(ann, who)
    narrow = _clause_of(ann, who)
    state = ctx.lx.status(ann, narrow[0], narrow[1], who.start)
    kinds = ("year", "since", "relative", "month")
    when = next((d for d in ann.dates if clause[0] <= d.start < clause[1] and d.kind in kinds), None)
    fields: dict[str, Any] = {"id": "", "type": "Mobility", "mobilityKind": kind}
    if sender:
        fields["sender"] = sender
    if receiver:
        fields["receiver"] = receiver
    place = _best_place(ctx, ann.places(*clause), ("City",))
    if place:
        fields["location"] = place
    if count is not None:
        fields["participantCount"] = str(count)
    if when:
        fields["startDate"] = when.start_date
    fields["status"] = state or "Completed"
    if state == "Ongoing" and ctx.month and any(t.lemma in ctx.lx.CUES["now"] or t.text.casefold() in ctx.lx.CUES["now"]
                                                for t in ann.tokens_in(*clause)):
        fields["statusAsOf"] = ctx.month
    for programme in programmes:
        providers = programme.fields.get("provider", [])
        if programme.paragraph == ann.sentence.paragraph and sender in providers and receiver in providers:  # type: ignore[attr-defined]
            fields["withinProgramme"] = programme.id
    year = (when.start_date if when else ctx.issued or "")[:4]
    fields["id"] = ctx.new_id(f"{sender or 'x'}-{receiver or 'x'}-{slug(kind)}-{year}".strip("-"))
    fields["quote"] = ctx.quote(ann)
    node = Node("Mobility", fields, 0.8, [(ann.sentence.start, ann.sentence.end)])
    missing = [k for k in ("sender", "receiver") if k not in fields]
    if missing:
        node.confidence = 0.4
        node.notes.append(f"no {' or '.join(missing)} institution found")
    if state is None:
        node.confidence = min(node.confidence, 0.6)
        node.notes.append("no tense to tell planned from done: taken as Completed")
    return node


_PLAN = {"ru": re.compile(r"\bплан\w*\s+(?:совместных\s+)?мероприяти\w*|\bдорожн\w+\s+карт\w*", re.I),
         "en": re.compile(r"\b(?:joint\s+)?action\s+plan\b|\broad\s*map\b|\bplan\s+of\s+(?:joint\s+)?(?:activities|events)\b",
                          re.I)}


def _plans(ctx: Context) -> list[Node]:
    out = []
    for ann in ctx.body:
        match = _PLAN[ctx.lang].search(ann.sentence.text)
        if not match:
            continue
        cue = next(t for t in ann.tokens if t.start >= ann.sentence.start + match.start())
        clause = _clause_of(ann, cue)
        state = ctx.lx.status(ann, clause[0], clause[1], cue.start)
        fields: dict[str, Any] = {"id": ctx.new_id(f"{ctx.home or 'joint'}-action-plan-{(ctx.issued or '')[:4]}".strip("-")),
                                  "type": "ActionPlan", "name": {ctx.lang: _plan_name(ann, match)}}
        if state:
            fields["status"] = state
        fields["quote"] = ctx.quote(ann)
        node = Node("ActionPlan", fields, 0.8, [(ann.sentence.start, ann.sentence.end)])
        node.paragraph = ann.sentence.paragraph  # type: ignore[attr-defined]
        out.append(node)
    return out


def _plan_name(ann: Annotated, match: re.Match[str]) -> str:
    rest = ann.sentence.text[match.start():].rstrip(".")
    words = rest.split()
    name = " ".join(words[:8])
    return name[:1].upper() + name[1:]
