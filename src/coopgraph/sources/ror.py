"""Read Research Organization Registry records (ROR JSON, schema v1 and v2) into one plain form.

Both schemas occur in the wild: in v1 files ``external_ids.GRID.all`` is a string while the other ids
are lists, types and relationship types are capitalised (``Education``, ``Child``) and only ``labels``
carry a language; in v2 files every name has ``types`` (``ror_display``, ``label``, ``alias``,
``acronym``) and a ``lang`` that may be null. :func:`read_ror` hides the difference;
:func:`read_ror_records` reads files and folders and keeps the newest version of each record.

Identifier forms are checked here too (:func:`ror_id`, :func:`is_grid`, :func:`isni`), since a
record, a query parameter and a third-party Turtle file all need the same checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from coopgraph.errors import SourceError

__all__ = [
    "RorName",
    "RorPlace",
    "RorRelationship",
    "RorRecord",
    "read_ror",
    "read_ror_records",
    "ror_files",
    "ror_id",
    "ror_iri",
    "is_grid",
    "isni",
    "wikidata_id",
    "ROR_BASE",
    "WIKIDATA_BASE",
    "GEONAMES_BASE",
]

ROR_BASE = "https://ror.org/"
WIKIDATA_BASE = "http://www.wikidata.org/entity/"
GEONAMES_BASE = "https://sws.geonames.org/"

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_ROR_FORM = re.compile(r"^0[0-9a-hj-km-np-tv-z]{6}[0-9]{2}$")
_ROR_IN_TEXT = re.compile(r"^(?:https?://)?(?:www\.)?ror\.org/(?P<id>[^/?#\s]+)/?$", re.IGNORECASE)
_GRID_FORM = re.compile(r"^grid\.\d{4,6}\.[0-9a-f]{1,2}$")
_WIKIDATA_FORM = re.compile(
    r"^(?:(?:https?://)?(?:www\.)?wikidata\.org/(?:entity|wiki)/|wd:)?(?P<q>Q[1-9][0-9]*)$", re.IGNORECASE
)
_FILE_NAME = re.compile(r"^(?P<id>[0-9a-z]{9})__v(?P<release>\d+(?:\.\d+)*)(?P<schema1>_schema_v1)?$")
#: ROR relationship types, lower case, as v2 writes them.
RELATIONSHIP_TYPES = ("parent", "child", "related", "predecessor", "successor")


@dataclass(frozen=True)
class RorName:
    """One name of an organisation: its text, language (None when the record gives none) and kinds."""

    value: str
    lang: str | None
    kinds: tuple[str, ...]  # among ror_display, label, alias, acronym


@dataclass(frozen=True)
class RorPlace:
    """Where an organisation is: its city (a GeoNames feature), region and country."""

    name: str
    geonames_id: int | None
    lat: float | None
    lng: float | None
    country_code: str | None
    country_name: str | None
    country_geonames_id: int | None = None
    region_name: str | None = None
    region_geonames_id: int | None = None


@dataclass(frozen=True)
class RorRelationship:
    """A link to another ROR record: ``type`` is one of :data:`RELATIONSHIP_TYPES`."""

    type: str
    ror: str  # the other record's IRI
    label: str


@dataclass(frozen=True)
class RorRecord:
    """A ROR record in one form for both schemas.

    Attributes
    ----------
    ror : the record's IRI (``https://ror.org/03awzbc87``)
    status : ``active``, ``inactive`` or ``withdrawn``
    names : every name, display name first
    types : lower case (``education``, ``facility``, ``funder``...)
    wikidata, grid, isni : identifiers, in canonical form (``Q1363559``, ``grid.412252.2``, 16 characters)
    established : the founding year
    place : the city, region and country
    relationships : links to other records
    website : the organisation's web site
    schema : 1 or 2
    release : the ROR release the file comes from, when its name says (``1.54``)
    modified : the record's last modification date (v2 only)
    path : the file
    """

    ror: str
    status: str
    names: tuple[RorName, ...]
    types: tuple[str, ...]
    wikidata: tuple[str, ...] = ()
    grid: tuple[str, ...] = ()
    isni: tuple[str, ...] = ()
    established: int | None = None
    place: RorPlace | None = None
    relationships: tuple[RorRelationship, ...] = ()
    website: str | None = None
    schema: int = 2
    release: str | None = None
    modified: str | None = None
    path: Path = field(default=Path("."), compare=False)

    @property
    def id(self) -> str:
        """The ROR id without its base (``03awzbc87``)."""
        return self.ror[len(ROR_BASE):]

    @property
    def display_name(self) -> str:
        """The name ROR displays."""
        for name in self.names:
            if "ror_display" in name.kinds:
                return name.value
        return self.names[0].value if self.names else self.id

    @property
    def successor(self) -> str | None:
        """The IRI of the record that succeeds this one, if any (the live record of a withdrawn duplicate)."""
        found = [r.ror for r in self.relationships if r.type == "successor"]
        return found[0] if len(found) == 1 else None

    def related(self, kind: str) -> list[RorRelationship]:
        """The relationships of one kind (``parent``, ``child``...)."""
        return [r for r in self.relationships if r.type == kind]


# ---------------------------------------------------------------- identifier forms


def _crockford(text: str) -> int:
    value = 0
    for char in text:
        value = value * 32 + _CROCKFORD.index(char)
    return value


def ror_id(text: str) -> str | None:
    """The ROR id in ``text`` (a bare id, ``ror.org/...`` or its IRI), or None if it is not a valid one.

    A ROR id is ``0``, six Crockford base-32 characters and a two-digit ISO 7064 (mod 97-10) checksum.

    >>> ror_id("https://ror.org/006fh5g40")
    '006fh5g40'
    >>> ror_id("ror.org/03AWZBC87")
    '03awzbc87'
    >>> ror_id("03awzbc88") is None  # wrong checksum
    True
    """
    text = text.strip()
    match = _ROR_IN_TEXT.match(text)
    candidate = (match.group("id") if match else text).lower()
    if not _ROR_FORM.match(candidate):
        return None
    checksum = 98 - (_crockford(candidate[1:7]) * 100) % 97
    return candidate if checksum == int(candidate[7:]) else None


def ror_iri(text: str) -> str | None:
    """The canonical ROR IRI for an id or URL, or None if it is not a valid ROR id."""
    found = ror_id(text)
    return ROR_BASE + found if found else None


def is_grid(text: str) -> bool:
    """Whether ``text`` is a GRID id (``grid.412252.2``).

    >>> is_grid("grid.412252.2"), is_grid("g")
    (True, False)
    """
    return _GRID_FORM.match(text) is not None


def isni(text: str) -> str | None:
    """The ISNI in ``text`` as 16 characters without spaces, or None if it is not one (ISO 7064 mod 11-2).

    >>> isni("0000 0004 0368 6968")
    '0000000403686968'
    >>> isni("0000 0004 0368 6967") is None
    True
    """
    compact = re.sub(r"[\s-]", "", text).upper()
    if not re.fullmatch(r"\d{15}[\dX]", compact):
        return None
    total = 0
    for digit in compact[:15]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    return compact if compact[15] == expected else None


def wikidata_id(text: str) -> str | None:
    """The Wikidata item id in ``text`` (``Q1363559``, ``wd:Q..``, an entity or wiki URL), or None.

    >>> wikidata_id("http://www.wikidata.org/entity/Q1363559")
    'Q1363559'
    """
    match = _WIKIDATA_FORM.match(text.strip())
    return match.group("q").upper() if match else None


# ---------------------------------------------------------------- reading


def _fail(path: Path, message: str) -> SourceError:
    return SourceError(path, None, f"{message} — is this a ROR record (https://ror.org JSON, schema v1 or v2)?")


def _ids_v1(external: dict, key: str) -> list[str]:
    entry = external.get(key) or {}
    values = entry.get("all") or []
    if isinstance(values, str):  # v1 writes GRID's 'all' as one string
        values = [values]
    preferred = entry.get("preferred")
    ordered = ([preferred] if preferred else []) + [v for v in values if v != preferred]
    return [str(v) for v in ordered if v]


def _ids_v2(external: list, key: str) -> list[str]:
    for entry in external:
        if str(entry.get("type", "")).lower() == key:
            values = entry.get("all") or []
            if isinstance(values, str):
                values = [values]
            preferred = entry.get("preferred")
            ordered = ([preferred] if preferred else []) + [v for v in values if v != preferred]
            return [str(v) for v in ordered if v]
    return []


def _clean_ids(path: Path, grid: list[str], isnis: list[str], wikidata: list[str]) -> tuple:
    grids = tuple(dict.fromkeys(g for g in grid if is_grid(g)))
    isni_ids = tuple(dict.fromkeys(i for i in (isni(v) for v in isnis) if i))
    wd = tuple(dict.fromkeys(q for q in (wikidata_id(v) for v in wikidata) if q))
    return grids, isni_ids, wd


def _relationships(raw: list, path: Path) -> tuple[RorRelationship, ...]:
    out = []
    for rel in raw or []:
        kind = str(rel.get("type", "")).lower()
        iri = ror_iri(str(rel.get("id", "")))
        if kind not in RELATIONSHIP_TYPES or iri is None:
            raise SourceError(path, None, f"relationship {rel!r} has an unknown type or an invalid ROR id")
        out.append(RorRelationship(kind, iri, str(rel.get("label") or "")))
    return tuple(out)


def _read_v1(data: dict, path: Path) -> dict:
    names: list[RorName] = [RorName(data["name"], None, ("ror_display", "label"))]
    for label in data.get("labels") or []:
        names.append(RorName(label["label"], label.get("iso639") or None, ("label",)))
    names += [RorName(alias, None, ("alias",)) for alias in data.get("aliases") or []]
    names += [RorName(acronym, None, ("acronym",)) for acronym in data.get("acronyms") or []]
    external = data.get("external_ids") or {}
    grid, isnis, wikidata = _clean_ids(
        path, _ids_v1(external, "GRID"), _ids_v1(external, "ISNI"), _ids_v1(external, "Wikidata")
    )
    place = None
    addresses = data.get("addresses") or []
    country = data.get("country") or {}
    if addresses:
        address = addresses[0]
        city = address.get("geonames_city") or {}
        admin1 = city.get("geonames_admin1") or {}
        place = RorPlace(
            name=city.get("city") or address.get("city") or "",
            geonames_id=city.get("id"),
            lat=address.get("lat"),
            lng=address.get("lng"),
            country_code=country.get("country_code"),
            country_name=country.get("country_name"),
            country_geonames_id=address.get("country_geonames_id"),
            region_name=admin1.get("name"),
            region_geonames_id=admin1.get("id"),
        )
    links = data.get("links") or []
    return dict(
        names=tuple(names),
        types=tuple(str(t).lower() for t in data.get("types") or []),
        wikidata=wikidata,
        grid=grid,
        isni=isnis,
        established=data.get("established"),
        place=place,
        relationships=_relationships(data.get("relationships"), path),
        website=links[0] if links else None,
        schema=1,
    )


def _read_v2(data: dict, path: Path) -> dict:
    names = [RorName(n["value"], n.get("lang") or None, tuple(n.get("types") or ())) for n in data["names"]]
    names.sort(key=lambda n: "ror_display" not in n.kinds)  # stable: display name first, then as given
    external = data.get("external_ids") or []
    grid, isnis, wikidata = _clean_ids(
        path, _ids_v2(external, "grid"), _ids_v2(external, "isni"), _ids_v2(external, "wikidata")
    )
    place = None
    locations = data.get("locations") or []
    if locations:
        details = locations[0].get("geonames_details") or {}
        place = RorPlace(
            name=details.get("name") or "",
            geonames_id=locations[0].get("geonames_id"),
            lat=details.get("lat"),
            lng=details.get("lng"),
            country_code=details.get("country_code"),
            country_name=details.get("country_name"),
            region_name=details.get("country_subdivision_name"),
        )
    website = next((link["value"] for link in data.get("links") or [] if link.get("type") == "website"), None)
    modified = ((data.get("admin") or {}).get("last_modified") or {}).get("date")
    return dict(
        names=tuple(names),
        types=tuple(str(t).lower() for t in data.get("types") or []),
        wikidata=wikidata,
        grid=grid,
        isni=isnis,
        established=data.get("established"),
        place=place,
        relationships=_relationships(data.get("relationships"), path),
        website=website,
        schema=2,
        modified=modified,
    )


def read_ror(path: str | Path) -> RorRecord:
    """Read one ROR record file, schema v1 or v2.

    Parameters
    ----------
    path : a ``.json`` file holding one record; a name ``<ror-id>__v<release>[_schema_v1].json`` (as in
        the ror-records repository) also gives the release

    Returns
    -------
    RorRecord

    Raises
    ------
    SourceError
        for a file that is not JSON (with the line) or not a ROR record
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SourceError(path, exc.lineno, f"not JSON: {exc.msg} — fix the syntax") from None
    except UnicodeDecodeError:
        raise SourceError(path, None, "not UTF-8 text — save the file as UTF-8") from None
    if not isinstance(data, dict) or "id" not in data:
        raise _fail(path, "no 'id'")
    iri = ror_iri(str(data["id"]))
    if iri is None:
        raise SourceError(path, None, f"'{data['id']}' is not a valid ROR id (0 + 6 characters + 2-digit checksum)")
    try:
        if "names" in data:
            fields = _read_v2(data, path)
        elif "name" in data:
            fields = _read_v1(data, path)
        else:
            raise _fail(path, "neither 'names' (schema v2) nor 'name' (schema v1)")
    except (KeyError, TypeError, AttributeError) as exc:
        raise _fail(path, f"unexpected structure ({type(exc).__name__}: {exc})") from None
    match = _FILE_NAME.match(path.stem)
    release = match.group("release") if match and match.group("id") == iri[len(ROR_BASE):] else None
    established = fields.pop("established")
    return RorRecord(
        ror=iri,
        status=str(data.get("status") or "active").lower(),
        established=int(established) if established else None,
        release=release,
        path=path,
        **fields,
    )


def ror_files(paths: Iterable[str | Path]) -> list[Path]:
    """The ``.json`` files named by ``paths`` (folders are searched one level deep), sorted."""
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(sorted(p for p in path.glob("*.json") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise SourceError(path, None, "no such file or folder — check the path")
    return found


def _version(record: RorRecord) -> tuple:
    release = tuple(int(part) for part in record.release.split(".")) if record.release else ()
    return (release, record.modified or "", record.schema)


def read_ror_records(paths: Iterable[str | Path]) -> list[RorRecord]:
    """Read every ROR record under ``paths``; of several versions of one record, keep the newest.

    The newest is the one of the latest release (from the file name, ``<id>__v1.54.json``); in one
    release the schema v2 file wins over the ``_schema_v1`` one (same data, and names with languages).
    Without release names, the v2 ``admin.last_modified`` date decides.

    Raises
    ------
    SourceError
        for an unreadable file, or two versions of one record whose order cannot be told
    """
    newest: dict[str, RorRecord] = {}
    for path in ror_files(paths):
        record = read_ror(path)
        other = newest.get(record.ror)
        if other is None:
            newest[record.ror] = record
            continue
        if _version(record) == _version(other):
            if record == other:
                continue
            raise SourceError(
                path, None,
                f"another version of {record.id} is in {other.path} and neither is newer — name the files "
                f"<ror-id>__v<release>.json, or give only one",
            )
        if _version(record) > _version(other):
            newest[record.ror] = record
    return [newest[key] for key in sorted(newest)]
