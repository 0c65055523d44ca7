"""What the language analysers find in each sentence, and the candidate facts built from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coopgraph.extract.dates import DateMention
from coopgraph.extract.gazetteer import Hit
from coopgraph.extract.text import Sentence

__all__ = ["Token", "PersonMention", "RoleMention", "OrgMention", "Annotated", "Node", "Unresolved"]


@dataclass(frozen=True)
class Token:
    """A word or punctuation mark: offsets in the article, lemma, part of speech and features (UD)."""

    start: int
    end: int
    text: str
    lemma: str
    pos: str = ""
    feats: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class PersonMention:
    """A person named in the text, normalised (nominative in Russian).

    Attributes
    ----------
    family : family name (``Загеева`` for «Загеевой»), None when only given names are written
    given : given name (and patronymic), None when only initials are
    initials : initials of the given names (``Л. А.``), from the initials written or the given names
    gender : ``Fem`` or ``Masc`` when the forms tell
    """

    start: int
    end: int
    text: str
    family: str | None
    given: str | None
    initials: str | None
    gender: str | None = None


@dataclass(frozen=True)
class RoleMention:
    """A post or title in the text (``и. о. ректора``, ``head of the Department of X``, ``professor``).

    ``role`` is a coop:Role name (``ActingRector``...), or ``Head`` for «глава» / "head of" an institution
    (an anaphor: the rector or president); ``title`` an academic title (``Professor``); ``unit_kind`` and
    ``unit_name`` the unit of the post (``Department``, «кафедра обработки металлов давлением»);
    ``institution`` the registry id of an institution written right after it.
    """

    start: int
    end: int
    text: str
    role: str | None = None
    title: str | None = None
    unit_kind: str | None = None
    unit_name: str | None = None
    institution: str | None = None


@dataclass(frozen=True)
class OrgMention:
    """An institution named in the text that the registry does not hold (or holds more than once)."""

    start: int
    end: int
    text: str
    normal: str
    acronym: str | None = None
    candidates: tuple[str, ...] = ()
    message: str = ""


@dataclass
class Annotated:
    """One sentence with everything the analyser found in it."""

    sentence: Sentence
    tokens: list[Token] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    unknown: list[OrgMention] = field(default_factory=list)
    people: list[PersonMention] = field(default_factory=list)
    roles: list[RoleMention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)

    def institutions(self, start: int | None = None, end: int | None = None) -> list[Hit]:
        """Institution hits (registry) in the sentence or in ``[start, end)``."""
        lo = self.sentence.start if start is None else start
        hi = self.sentence.end if end is None else end
        return [h for h in self.hits if h.kind == "institution" and lo <= h.start and h.end <= hi]

    def places(self, start: int | None = None, end: int | None = None) -> list[Hit]:
        """Place hits (registry) in the sentence or in ``[start, end)``."""
        lo = self.sentence.start if start is None else start
        hi = self.sentence.end if end is None else end
        return [h for h in self.hits if h.kind == "place" and lo <= h.start and h.end <= hi]

    def tokens_in(self, start: int, end: int) -> list[Token]:
        """Tokens within ``[start, end)``."""
        return [t for t in self.tokens if start <= t.start and t.end <= end]


@dataclass
class Unresolved:
    """An institution that the draft needs and the registry does not resolve: the reviewer decides."""

    id: str
    names: list[str]
    acronym: str | None
    message: str
    start: int
    end: int


@dataclass
class Node:
    """A candidate entity of the draft: its keys in order, its evidence and how sure the rules are.

    ``fields`` maps authoring keys to values: a string, a list of strings, a language map (dict), a
    nested :class:`Node` or a list of them. ``notes`` are comment lines written above the node;
    ``key_notes`` comment lines above one key (``UNRESOLVED: ...``).
    """

    kind: str
    fields: dict[str, Any]
    confidence: float = 1.0
    evidence: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    key_notes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.fields.get("id", ""))
