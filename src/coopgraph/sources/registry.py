"""The registries as files: merge ROR records into the institutions and places registries (YAML-LD).

``import_ror`` matches each record to a registry entry by its ROR id only (``sameAs`` or
``withdrawnRor``), never by name; a record that matches none becomes a new entry with a slug id. What the
registry already says is kept: a record that disagrees with a curated name or id leaves it as it is and
produces a warning naming the file, the line and both values. A withdrawn record is folded into the entry
of its successor (its ROR IRI as ``withdrawnRor``, its names as aliases). Cities and countries that the
records need and the places registry lacks are added to it, matched by GeoNames id (countries by code).

The files are rewritten in one canonical layout (the header comment and the comments above entries are
kept), so that importing the same records twice leaves them byte for byte as they were.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph
from yaml.emitter import Emitter

from coopgraph import ids
from coopgraph.errors import SourceError
from coopgraph.resolve import Resolver, acronym_key, looks_like_acronym
from coopgraph.sources.guard import compose_yaml, visible
from coopgraph.sources.ror import (
    GEONAMES_BASE,
    ROR_BASE,
    WIKIDATA_BASE,
    RorName,
    RorPlace,
    RorRecord,
    read_ror_records,
    ror_iri,
)
from coopgraph.sources.text import read_text

__all__ = [
    "ImportWarning",
    "ImportReport",
    "RegistryFile",
    "Entry",
    "import_ror",
    "read_registry",
    "render_registry",
    "load_resolver",
]

#: The order of keys in an entry the importer writes; other keys keep their place after these.
ENTRY_ORDER = (
    "id", "type", "name", "alias", "acronym", "inScheme", "containedIn", "countryCode", "location",
    "lat", "long", "founded", "homepage", "gridId", "isni", "sameAs", "withdrawnRor",
    "subOrganizationOf", "hasSubOrganization", "related", "replaces", "replacedBy",
)
#: ROR relationship type → registry key.
RELATION_KEYS = {
    "parent": "subOrganizationOf",
    "child": "hasSubOrganization",
    "related": "related",
    "predecessor": "replaces",
    "successor": "replacedBy",
}
_MULTI_KEYS = {"sameAs", "isni", "withdrawnRor", *RELATION_KEYS.values()}
_BLOCK_KEYS = {"derivedFrom"}  # always written one item a line
WIDTH = 110
_PINYIN_MARKS = set("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ")
_SLUG_STOPWORDS = {"of", "and", "the", "for", "named", "after", "in", "at", "de", "la"}


# ---------------------------------------------------------------- the files


@dataclass
class Entry:
    """One entity of a registry file: its keys in order, with the line of each key and language."""

    data: dict[str, Any]
    line: int = 0
    lines: dict[Any, int] = field(default_factory=dict)  # key or (key, language) → line
    comments: list[str] = field(default_factory=list)  # comment lines written above it

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))

    def where(self, key: str, lang: str | None = None) -> int:
        """The line of ``key`` (and of its ``lang`` in a language map), else of the entry."""
        if lang is not None:
            for k, line in self.lines.items():
                if isinstance(k, tuple) and k[0] == key and k[1].lower() == lang.lower():
                    return line
        return self.lines.get(key, self.line)


@dataclass
class RegistryFile:
    """A registry file: header comment, ``source:`` block and ``graph:`` entries."""

    path: Path
    header: list[str]
    source: dict[str, Any]
    entries: list[Entry]
    original: str = ""
    dropped_comments: list[int] = field(default_factory=list)  # lines of comments that cannot be kept

    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}


def _python(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_python(item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return {k.value: _python(v) for k, v in node.value}
    raise TypeError(type(node))


def _is_comment(line: str) -> bool:
    return line.strip().startswith("#")


def read_registry(path: str | Path, *, default_title: dict[str, str] | None = None) -> RegistryFile:
    """Read a registry file with the line of every key; a missing file reads as an empty registry.

    Raises
    ------
    SourceError
        for YAML that does not parse or is not ``source:`` + ``graph:``
    """
    path = Path(path)
    if not path.exists():
        stem = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-")
        title = default_title or {"en": f"coopgraph {stem} registry"}
        return RegistryFile(path, [], {"id": f"registry-{stem}", "type": "Registry", "title": title}, [])
    text = read_text(path)
    lines = text.splitlines()
    root = compose_yaml(path, text)
    if not isinstance(root, yaml.MappingNode):
        raise SourceError(path, 1, "a registry file has 'source:' and 'graph:' at the top")
    header: list[str] = []
    for line in lines:
        if _is_comment(line) or not line.strip():
            header.append(line)
        else:
            break
    while header and not header[-1].strip():
        header.pop()
    top = {k.value: v for k, v in root.value}
    source = _python(top["source"]) if "source" in top else {}
    entries: list[Entry] = []
    graph = top.get("graph")
    attached: set[int] = set(range(len(header)))
    if isinstance(graph, yaml.SequenceNode):
        for item in graph.value:
            if not isinstance(item, yaml.MappingNode):
                raise SourceError(path, item.start_mark.line + 1, "each registry entry is a mapping ('- id: ...')")
            start = item.start_mark.line
            comments: list[str] = []
            back = start - 1
            while back >= 0 and (_is_comment(lines[back]) or not lines[back].strip()) and back not in attached:
                if _is_comment(lines[back]):
                    comments.insert(0, lines[back].strip())
                attached.add(back)
                back -= 1
            entry_lines: dict[Any, int] = {}
            for key_node, value_node in item.value:
                entry_lines[key_node.value] = key_node.start_mark.line + 1
                if isinstance(value_node, yaml.MappingNode):
                    for lang_node, _ in value_node.value:
                        entry_lines[(key_node.value, lang_node.value)] = lang_node.start_mark.line + 1
            entries.append(Entry(_python(item), start + 1, entry_lines, comments))
    dropped = [i + 1 for i, line in enumerate(lines) if _is_comment(line) and i not in attached]
    return RegistryFile(path, header, source, entries, text, dropped)


# ---------------------------------------------------------------- writing


_RESOLVER = yaml.resolver.Resolver()


def _plain_in_flow(text: str) -> bool:
    """PyYAML's emitter never writes ``:`` plain in a flow collection; its parser reads ``[https://x]`` fine."""
    try:
        return yaml.safe_load(f"[{text}]") == [text] and yaml.safe_load(f"{{k: {text}}}") == {"k": text}
    except yaml.YAMLError:
        return False


def _scalar(text: str, *, flow: bool) -> str:
    """``text`` as a YAML scalar: plain when it reads back as the same string, else double-quoted."""
    emitter = Emitter(io.StringIO(), allow_unicode=True)
    analysis = emitter.analyze_scalar(text)
    plain = analysis.allow_block_plain and (not flow or analysis.allow_flow_plain or _plain_in_flow(text))
    numeric = re.fullmatch(r"[-+]?[0-9][0-9_.:eExX]*", text) is not None  # a number to YAML 1.2 readers
    if plain and text and not numeric and _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str":
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(value: Any, depth: int = 0) -> str | None:
    if isinstance(value, str):
        return _scalar(value, flow=True)
    if depth >= 2:
        return None
    if isinstance(value, list):
        items = [_flow(v, depth + 1) for v in value]
        return None if any(i is None for i in items) else "[" + ", ".join(items) + "]"  # type: ignore[arg-type]
    if isinstance(value, dict):
        pairs = [(_scalar(str(k), flow=True), _flow(v, depth + 1)) for k, v in value.items()]
        return None if any(v is None for _, v in pairs) else "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    return None


def _emit_pair(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, str):
        return [f"{pad}{key}: {_scalar(value, flow=False)}"]
    flow = _flow(value)
    lists_in_map = isinstance(value, dict) and len(value) > 1 and any(isinstance(v, list) for v in value.values())
    if flow is not None and key not in _BLOCK_KEYS and not lists_in_map and indent + len(key) + 2 + len(flow) <= WIDTH:
        return [f"{pad}{key}: {flow}"]
    if isinstance(value, list):
        out = [f"{pad}{key}:"]
        for item in value:
            if isinstance(item, dict):
                sub = _emit_mapping(item, indent + 4)
                sub[0] = f"{pad}  - {sub[0].lstrip()}"
                out += sub
            else:
                text = _scalar(item, flow=False) if isinstance(item, str) else _flow(item)
                out.append(f"{pad}  - {text or json.dumps(item, ensure_ascii=False)}")
        return out
    if isinstance(value, dict):
        return [f"{pad}{key}:"] + _emit_mapping(value, indent + 2)
    return [f"{pad}{key}: {json.dumps(value, ensure_ascii=False)}"]


def _emit_mapping(mapping: dict[str, Any], indent: int) -> list[str]:
    out: list[str] = []
    for key, value in mapping.items():
        out += _emit_pair(str(key), value, indent)
    return out


def render_registry(registry: RegistryFile) -> str:
    """The registry file's text in the canonical layout (deterministic: same data, same bytes)."""
    out = list(registry.header)
    out.append("source:")
    out += _emit_mapping(registry.source, 2)
    out.append("graph:")
    for entry in registry.entries:
        out += [f"  {c}" for c in entry.comments]
        lines = _emit_mapping(entry.data, 4)
        lines[0] = "  - " + lines[0][4:]
        out += lines
    return "\n".join(out) + "\n"


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- small helpers on entries


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _set_multi(entry: Entry, key: str, values: list[str]) -> None:
    values = list(dict.fromkeys(values))
    if not values:
        entry.data.pop(key, None)
        return
    _put(entry, key, values[0] if len(values) == 1 else values)


def _put(entry: Entry, key: str, value: Any) -> None:
    """Set ``key``, inserting a new key at its place in :data:`ENTRY_ORDER`."""
    if key in entry.data:
        entry.data[key] = value
        return
    rank = ENTRY_ORDER.index(key) if key in ENTRY_ORDER else len(ENTRY_ORDER)
    items = list(entry.data.items())
    position = 0
    for i, (k, _) in enumerate(items):
        if k in ENTRY_ORDER and ENTRY_ORDER.index(k) < rank:
            position = i + 1
    items.insert(position, (key, value))
    entry.data.clear()
    entry.data.update(items)


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _known_names(entry: Entry) -> set[str]:
    known = set()
    for key in ("name", "alias", "acronym"):
        value = entry.data.get(key)
        if isinstance(value, dict):
            for texts in value.values():
                known.update(_norm(t) for t in _as_list(texts))
    return known


def _lang_key(mapping: dict[str, Any], lang: str) -> str:
    for key in mapping:
        if key.lower() == lang.lower():
            return key
    return lang


def _add_name(entry: Entry, key: str, lang: str, text: str) -> bool:
    """Add ``text`` under ``key`` (alias or acronym) in ``lang`` unless the entry knows it already."""
    if _norm(text) in _known_names(entry):
        return False
    mapping = dict(entry.data.get(key) or {})
    lang = _lang_key(mapping, lang)
    mapping[lang] = _as_list(mapping.get(lang)) + [text]
    _put(entry, key, mapping)
    return True


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _name_slug(text: str, *, words: int = 8) -> str:
    kept = [w for w in _slug(text).split("-") if w and w not in _SLUG_STOPWORDS]
    return "-".join(kept[:words])


def _homepage(url: str) -> str:
    return re.sub(r"^(https?://)?(www\.)?", "", url.strip().lower()).rstrip("/")


def _year(year: int | str) -> str:
    """A year as xsd:gYear writes it, in four digits: Al-Azhar University's 970 is '0970'."""
    return f"{int(year):04d}"


def _number(value: float) -> str:
    return repr(float(value))


def _geonames_id(iri: str) -> int | None:
    match = re.match(r"^https?://sws\.geonames\.org/(\d+)/?$", iri)
    return int(match.group(1)) if match else None


def _language(name: RorName, country: str | None) -> str:
    """The language of a name; when the record gives none, guessed from its script (and country)."""
    if name.lang:
        return name.lang
    text = name.value
    if re.search(r"[\u0400-\u04ff]", text):
        return "uk" if country == "UA" else "ru"
    if re.search(r"[\u3040-\u30ff]", text):
        return "ja"
    if re.search(r"[\uac00-\ud7af]", text):
        return "ko"
    if re.search(r"[\u4e00-\u9fff]", text):
        return "ja" if country == "JP" else "zh"
    if re.search(r"[\u0600-\u06ff]", text):
        return "ar"
    if re.search(r"[\u0370-\u03ff]", text):
        return "el"
    if country in ("CN", "TW") and _PINYIN_MARKS & set(text.lower()):
        return "zh-Latn-pinyin"
    return "en"


# ---------------------------------------------------------------- import


@dataclass(frozen=True, order=True)
class ImportWarning:
    """Something an import did not do, or a disagreement it left as it was: ``path:line: message``.

    Printed with control characters as escapes: the values it quotes come from files not trusted.
    """

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"
        return visible(text)


@dataclass
class ImportReport:
    """What an import did: entries added and updated, places added, warnings, files written."""

    records: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    places_added: list[str] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The summary ``coopgraph import ror`` prints."""
        out = [f"{self.records} ROR records read"]
        out.append(f"institutions added: {len(self.added)}" + (f" ({', '.join(self.added)})" if self.added else ""))
        out.append(f"institutions updated: {len(self.updated)}" + (f" ({', '.join(self.updated)})" if self.updated else ""))
        out.append(f"institutions unchanged: {len(self.unchanged)}")
        out.append(
            f"places added: {len(self.places_added)}" + (f" ({', '.join(self.places_added)})" if self.places_added else "")
        )
        out += [f"wrote {p}" for p in self.written] or ["no file changed"]
        return out


class _Import:
    def __init__(self, institutions: RegistryFile, places: RegistryFile, taken: set[str]) -> None:
        self.inst = institutions
        self.places = places
        self.taken = taken | {e.id for e in institutions.entries} | {e.id for e in places.entries}
        self.warnings: list[ImportWarning] = []
        self.places_added: list[str] = []
        self.by_ror: dict[str, Entry] = {}
        self.entries_by_id: dict[str, Entry] = {}
        for entry in institutions.entries:
            self.entries_by_id[entry.id] = entry
            for key in ("sameAs", "withdrawnRor"):
                for iri in _as_list(entry.data.get(key)):
                    canonical = ror_iri(str(iri)) if str(iri).startswith(ROR_BASE) else None
                    if canonical is None:
                        continue
                    other = self.by_ror.get(canonical)
                    if other is not None and other is not entry:
                        raise SourceError(
                            institutions.path, entry.where(key),
                            f"{canonical} is given for both '{other.id}' (line {other.where(key)}) and "
                            f"'{entry.id}' — one ROR record is one institution: remove it from one of them",
                        )
                    self.by_ror[canonical] = entry

    def warn(self, entry: Entry, key: str, message: str, lang: str | None = None) -> None:
        self.warnings.append(ImportWarning(str(self.inst.path), entry.where(key, lang), f"{entry.id}: {message}"))

    def fresh_id(self, base: str, suffixes: Iterable[str]) -> str:
        base = base or "institution"
        candidates = [base] + [f"{base}-{s}" for s in suffixes if s]
        for candidate in candidates:
            if ids.ID_PATTERN.match(candidate) and candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        n = 2
        while f"{base}-{n}" in self.taken:
            n += 1
        self.taken.add(f"{base}-{n}")
        return f"{base}-{n}"

    # -- places -------------------------------------------------------------------------------

    def _place_by_geonames(self, geonames: int | None) -> Entry | None:
        if geonames is None:
            return None
        for entry in self.places.entries:
            if any(_geonames_id(str(i)) == geonames for i in _as_list(entry.data.get("sameAs"))):
                return entry
        return None

    def _new_place(self, record: RorRecord, data: dict[str, Any], suffix: str | None) -> Entry:
        data["id"] = self.fresh_id(data["id"], [suffix or ""])
        entry = Entry({})
        for key in ENTRY_ORDER:
            if key in data:
                entry.data[key] = data[key]
        self.places.entries.append(entry)
        self.places_added.append(entry.id)
        derived = _as_list(self.places.source.get("derivedFrom"))
        if record.ror not in derived:
            self.places.source["derivedFrom"] = derived + [record.ror]
        return entry

    def country(self, record: RorRecord, place: RorPlace) -> Entry | None:
        if not place.country_code:
            return None
        for entry in self.places.entries:
            if str(entry.data.get("countryCode", "")).upper() == place.country_code.upper():
                return entry
        found = self._place_by_geonames(place.country_geonames_id)
        if found is not None:
            return found
        data: dict[str, Any] = {
            "id": _slug(place.country_name or place.country_code),
            "type": "Country",
            "name": {"en": place.country_name or place.country_code},
            "countryCode": place.country_code.upper(),
        }
        if place.country_geonames_id:
            data["sameAs"] = f"{GEONAMES_BASE}{place.country_geonames_id}/"
        return self._new_place(record, data, place.country_code.lower())

    def region(self, record: RorRecord, place: RorPlace, country: Entry | None) -> Entry | None:
        found = self._place_by_geonames(place.region_geonames_id)
        if found is not None:
            return found
        if place.region_name:
            for entry in self.places.entries:
                names = entry.data.get("name") or {}
                if (
                    entry.data.get("type") == "Region"
                    and country is not None
                    and entry.data.get("containedIn") == country.id
                    and _norm(str(names.get("en", ""))) == _norm(place.region_name)
                ):
                    return entry
        if place.region_geonames_id and place.region_name:  # a region is created only with its GeoNames id
            data: dict[str, Any] = {"id": _slug(place.region_name), "type": "Region", "name": {"en": place.region_name}}
            if country is not None:
                data["containedIn"] = country.id
            data["sameAs"] = f"{GEONAMES_BASE}{place.region_geonames_id}/"
            return self._new_place(record, data, place.country_code and place.country_code.lower())
        return None

    def city(self, record: RorRecord) -> Entry | None:
        place = record.place
        if place is None or not place.name:
            return None
        found = self._place_by_geonames(place.geonames_id)
        if found is not None:
            return found
        country = self.country(record, place)
        region = self.region(record, place, country)
        container = region or country
        data: dict[str, Any] = {"id": _slug(place.name), "type": "City", "name": {"en": place.name}}
        if container is not None:
            data["containedIn"] = container.id
        if place.lat is not None and place.lng is not None:
            data["lat"] = _number(place.lat)
            data["long"] = _number(place.lng)
        if place.geonames_id:
            data["sameAs"] = f"{GEONAMES_BASE}{place.geonames_id}/"
        return self._new_place(record, data, place.country_code and place.country_code.lower())

    # -- institutions ------------------------------------------------------------------------

    def new_entry(self, record: RorRecord, *, name: str | None = None, acronym_ok: bool = True) -> Entry:
        acronyms = [n.value for n in record.names if "acronym" in n.kinds] if acronym_ok else []
        city = _slug(record.place.name) if record.place else ""
        base = ""
        for acronym in acronyms:
            slug = _slug(acronym)
            if not slug:
                continue
            base = f"{slug}-{city}" if self.acronym_shared(acronym, record) and city else slug
            break
        if not base:
            base = _name_slug(name or record.display_name) or record.id
        country = record.place.country_code.lower() if record.place and record.place.country_code else ""
        entry_id = self.fresh_id(base, [city, country])
        entry = Entry({"id": entry_id, "type": "University" if "education" in record.types else "Institution"})
        self.inst.entries.append(entry)
        self.entries_by_id[entry_id] = entry
        return entry

    def acronym_shared(self, acronym: str, record: RorRecord) -> bool:
        key = acronym_key(acronym)
        for other in self.records:
            if other.ror != record.ror and any(
                "acronym" in n.kinds and acronym_key(n.value) == key for n in other.names
            ):
                return True
        for entry in self.inst.entries:
            for field_name in ("acronym", "alias"):
                for texts in (entry.data.get(field_name) or {}).values():
                    for text in _as_list(texts):
                        if (field_name == "acronym" or looks_like_acronym(text)) and acronym_key(text) == key:
                            return True
        return False

    def names(self, entry: Entry, record: RorRecord, *, all_as_aliases: bool = False) -> None:
        country = record.place.country_code if record.place else None
        set_now: set[str] = set()
        for name in record.names:
            lang = _language(name, country)
            if "acronym" in name.kinds:
                _add_name(entry, "acronym", lang, name.value)
                continue
            if all_as_aliases or not ({"ror_display", "label"} & set(name.kinds)):
                _add_name(entry, "alias", lang, name.value)
                continue
            mapping = dict(entry.data.get("name") or {})
            key = _lang_key(mapping, lang)
            current = mapping.get(key)
            if current is None:
                if _norm(name.value) not in _known_names(entry):
                    mapping[key] = name.value
                    _put(entry, "name", mapping)
                    set_now.add(key)
            elif _norm(str(current)) == _norm(name.value) or _norm(name.value) in _known_names(entry):
                continue
            elif key in set_now:
                _add_name(entry, "alias", lang, name.value)
            else:
                self.warn(
                    entry, "name",
                    f"name@{lang} is '{current}', ROR {record.id} says '{name.value}' — kept the curated name, "
                    f"added the record's as an alias",
                    lang,
                )
                _add_name(entry, "alias", lang, name.value)

    def merge(self, entry: Entry, record: RorRecord) -> None:
        """Merge a live (active or inactive) record into its entry."""
        same = _as_list(entry.data.get("sameAs"))
        if record.ror not in same:
            _set_multi(entry, "sameAs", [s for s in same if str(s).startswith(ROR_BASE)] + [record.ror]
                       + [s for s in same if not str(s).startswith(ROR_BASE)])
        self.names(entry, record)
        self.location(entry, record)
        said, kept = f"ROR {record.id} says", "kept the curated value"
        if record.established:
            founded = entry.data.get("founded")
            if founded is None:
                _put(entry, "founded", _year(record.established))
            elif str(founded)[:4] != _year(record.established):
                self.warn(entry, "founded", f"founded is '{founded}', {said} '{record.established}' — {kept}")
        if record.website:
            homepage = entry.data.get("homepage")
            if homepage is None:
                _put(entry, "homepage", record.website)
            elif _homepage(str(homepage)) != _homepage(record.website):
                self.warn(entry, "homepage", f"homepage is '{homepage}', {said} '{record.website}' — {kept}")
        if record.grid:
            grid = entry.data.get("gridId")
            if grid is None:
                _put(entry, "gridId", record.grid[0])
            elif grid not in record.grid:
                self.warn(entry, "gridId", f"gridId is '{grid}', {said} '{record.grid[0]}' — {kept}")
        if record.isni:
            _set_multi(entry, "isni", _as_list(entry.data.get("isni")) + list(record.isni))
        wikidata = [WIKIDATA_BASE + q for q in record.wikidata]
        same = _as_list(entry.data.get("sameAs"))
        curated = [s for s in same if str(s).startswith(WIKIDATA_BASE)]
        if wikidata and not curated:
            _set_multi(entry, "sameAs", same + wikidata)
        for iri in wikidata:
            if curated and iri not in curated:
                self.warn(
                    entry, "sameAs",
                    f"Wikidata is {', '.join(q.rsplit('/', 1)[-1] for q in curated)}, ROR {record.id} says "
                    f"{iri.rsplit('/', 1)[-1]} — kept the curated id",
                )

    def location(self, entry: Entry, record: RorRecord) -> None:
        city = self.city(record)
        if city is None:
            return
        current = entry.data.get("location")
        if current is None:
            _put(entry, "location", city.id)
            return
        if current == city.id:
            return
        place = self.places.by_id().get(str(current))
        geonames = {_geonames_id(str(i)) for i in _as_list(place.data.get("sameAs"))} if place else set()
        geonames.discard(None)
        if geonames and record.place and record.place.geonames_id not in geonames:
            self.warn(
                entry, "location",
                f"location is '{current}', ROR {record.id} says {record.place.name} "
                f"(GeoNames {record.place.geonames_id}) — kept the curated value",
            )

    def fold(self, entry: Entry, record: RorRecord) -> None:
        """Fold a withdrawn duplicate into its successor's entry: its id and names, nothing that could clash."""
        if record.ror not in _as_list(entry.data.get("sameAs")):
            _set_multi(entry, "withdrawnRor", _as_list(entry.data.get("withdrawnRor")) + [record.ror])
        self.names(entry, record, all_as_aliases=True)
        if entry.data.get("location") is None:
            self.location(entry, record)
        if entry.data.get("founded") is None and record.established:
            _put(entry, "founded", _year(record.established))

    def relationships(self, entry: Entry, record: RorRecord) -> None:
        for rel in record.relationships:
            key = RELATION_KEYS[rel.type]
            target = self.by_ror.get(rel.ror)
            value = target.id if target is not None else rel.ror
            values = _as_list(entry.data.get(key))
            if value not in values:
                _set_multi(entry, key, values + [value])

    def link_known(self) -> None:
        """Write a relationship to a record the registry now holds as its id rather than its ROR IRI."""
        for entry in self.inst.entries:
            for key in RELATION_KEYS.values():
                if key not in entry.data:
                    continue
                values = _as_list(entry.data[key])
                mapped = [self.by_ror[v].id if v in self.by_ror else v for v in values]
                if mapped != values:
                    _set_multi(entry, key, mapped)

    def run(self, records: list[RorRecord]) -> tuple[list[str], list[str], list[str]]:
        self.records = records
        before = {e.id: json.dumps(e.data, sort_keys=False, ensure_ascii=False) for e in self.inst.entries}
        added: list[str] = []
        touched: list[str] = []
        live = [r for r in records if r.status != "withdrawn"]
        withdrawn = [r for r in records if r.status == "withdrawn"]
        for record in live:
            entry = self.by_ror.get(record.ror)
            if entry is None:
                entry = self.new_entry(record)
                added.append(entry.id)
                self.by_ror[record.ror] = entry
            self.merge(entry, record)
            touched.append(entry.id)
        by_ror_records = {r.ror: r for r in records}
        for record in withdrawn:
            entry = self.by_ror.get(record.ror)
            successor, seen = record.successor, {record.ror}
            while entry is None and successor and successor not in seen:
                seen.add(successor)
                entry = self.by_ror.get(successor)
                nxt = by_ror_records.get(successor)
                if entry is None and nxt is not None and nxt.status == "withdrawn":
                    successor = nxt.successor
                    continue
                break
            if entry is None and not successor:
                self.warnings.append(ImportWarning(
                    str(record.path), None,
                    f"ROR {record.id} ('{record.display_name}') is withdrawn and names no successor — not imported",
                ))
                continue
            if entry is None:
                label = next((r.label for r in record.relationships if r.ror == successor), "") or record.display_name
                entry = self.new_entry(record, name=label, acronym_ok=False)
                _put(entry, "name", {"en": label})
                _set_multi(entry, "sameAs", [successor])
                added.append(entry.id)
                self.by_ror[successor] = entry
            self.by_ror[record.ror] = entry
            self.fold(entry, record)
            touched.append(entry.id)
        for record in live:
            self.relationships(self.by_ror[record.ror], record)
        self.link_known()
        derived = _as_list(self.inst.source.get("derivedFrom"))
        new = [r.ror for r in records if r.ror not in derived]
        if new:
            self.inst.source["derivedFrom"] = derived + new
        updated = sorted(
            {e for e in touched if e not in added and json.dumps(self.entries_by_id[e].data, ensure_ascii=False) != before.get(e)}
        )
        unchanged = sorted({e for e in touched if e not in added and e not in updated})
        return added, updated, unchanged


def _ids_in_folder(folder: Path) -> set[str]:
    found: set[str] = set()
    if not folder.is_dir():
        return found
    pattern = re.compile(r"^\s*(?:-\s+)?id:\s*[\"']?([a-z0-9][a-z0-9-]*)[\"']?\s*$")
    for path in sorted(folder.glob("*.y*ml")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            match = pattern.match(line)
            if match:
                found.add(match.group(1))
    return found


def import_ror(
    paths: Iterable[str | Path],
    *,
    registry: str | Path = "data/registry/institutions.yaml",
    places: str | Path | None = None,
    write: bool = True,
) -> ImportReport:
    """Merge ROR records into the institutions registry (and the places they need into the places registry).

    Parameters
    ----------
    paths : ROR ``.json`` files or folders of them (several versions of one record: the newest is used)
    registry : the institutions registry file
    places : the places registry file (default: ``places.yaml`` beside ``registry``)
    write : write the files (False: report only)

    Returns
    -------
    ImportReport
        entries added, updated and unchanged, places added, and warnings: every curated value a record
        disagrees with (kept), and records that could not be imported

    Raises
    ------
    SourceError
        for an unreadable record or registry, or a ROR id given to two entries

    Examples
    --------
    ``coopgraph import ror ../shared/data/ror --registry data/registry/institutions.yaml``
    """
    paths = list(paths)
    for item in paths:
        if Path(item).suffix.lower() in (".ttl", ".nt", ".rdf", ".jsonld"):
            raise SourceError(item, None, "this is RDF, not a ROR JSON record — check it with 'coopgraph import rdf'")
    records = read_ror_records(paths)
    registry = Path(registry)
    places = Path(places) if places is not None else registry.parent / "places.yaml"
    inst_file = read_registry(registry, default_title={"en": "coopgraph institutions registry"})
    places_file = read_registry(places, default_title={"en": "coopgraph places registry"})
    job = _Import(inst_file, places_file, _ids_in_folder(registry.parent))
    added, updated, unchanged = job.run(records)
    report = ImportReport(
        records=len(records), added=added, updated=updated, unchanged=unchanged,
        places_added=job.places_added, warnings=list(job.warnings),
    )
    for reg in (inst_file, places_file):
        text = render_registry(reg)
        if text != reg.original:
            for line in reg.dropped_comments:
                report.warnings.append(ImportWarning(
                    str(reg.path), line,
                    "a comment inside an entry is not kept when the file is rewritten — move it above the entry",
                ))
            if write:
                _write_atomically(reg.path, text)
                report.written.append(reg.path)
    return report


def load_resolver(folder: str | Path = "data/registry") -> Resolver:
    """A :class:`~coopgraph.resolve.Resolver` for the institutions of the registry files in ``folder``."""
    from coopgraph.sources import read_source, source_files

    graph = Graph()
    for path in source_files([folder]):
        for triple in read_source(path).graph:
            graph.add(triple)
    return Resolver.from_graph(graph)
