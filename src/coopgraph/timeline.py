"""Cooperation events per year and kind, as a deterministic PNG or SVG picture (matplotlib, no pyplot)."""

from __future__ import annotations

import functools
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from coopgraph import choices
from coopgraph.errors import CoopgraphError
from coopgraph.namespaces import COOP
from coopgraph.network import cooperation_kinds, node_key
from coopgraph.queryfiles import load_query
from coopgraph.stores import Store

__all__ = ["Event", "FORMATS", "events", "counts", "figure", "render", "timeline_files"]

#: The picture formats :func:`render` writes.
FORMATS = choices.TIMELINE_FORMATS
#: Kinds in the order they are stacked, and their colours (colour-blind safe, Okabe–Ito).
_ORDER = (COOP.VisitCooperation, COOP.AgreementCooperation, COOP.ProgrammeCooperation, COOP.MobilityCooperation)
_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")


@dataclass(frozen=True)
class Event:
    """A dated cooperation event: a visit, an agreement signed, a programme or a mobility started."""

    id: str
    kind: str
    date: str
    year: int
    planned: bool


@functools.cache
def _query() -> str:
    return load_query("network/events").text


def events(store: Store) -> list[Event]:
    """The dated events a store holds (``queries/network/events.rq``), by year, kind and id.

    Visits count once (their parts are not counted again); an agreement is dated by its signing,
    or by the start of the event it was signed at; a mobility by its start, else by the date its
    status is attested. ``planned`` marks what the source announces for the future.
    """
    names = cooperation_kinds()
    found = {
        Event(
            id=node_key(row.event),
            kind=names.get(row.kind, node_key(row.kind)),
            date=str(row.date),
            year=int(row.year),
            planned=row.status == COOP.Planned,
        )
        for row in store.query(_query())
        if row.year is not None
    }
    return sorted(found, key=lambda e: (e.year, e.kind, e.id))


def counts(found: Iterable[Event]) -> dict[int, Counter[tuple[str, bool]]]:
    """Events per year → (kind, planned) → count, every year from the first to the last.

    >>> counts([Event("v", "visit", "2021-05", 2021, False), Event("m", "mobility", "2023", 2023, True)])
    {2021: Counter({('visit', False): 1}), 2022: Counter(), 2023: Counter({('mobility', True): 1})}
    """
    found = list(found)
    if not found:
        return {}
    years = range(min(e.year for e in found), max(e.year for e in found) + 1)
    table: dict[int, Counter[tuple[str, bool]]] = {year: Counter() for year in years}
    for event in found:
        table[event.year][event.kind, event.planned] += 1
    return table


def figure(found: Iterable[Event], *, title: str = "Cooperation events per year and kind") -> Figure:
    """A stacked bar chart of events per year and kind; planned events are hatched."""
    table = counts(found)
    names = cooperation_kinds()
    order = [names[kind] for kind in _ORDER]
    order += sorted({kind for row in table.values() for kind, _ in row} - set(order))
    colours = dict(zip(order, _COLOURS + ("#999999",) * len(order), strict=False))
    years = list(table)
    fig = Figure(figsize=(max(4.0, 1.0 + 0.6 * len(years)), 3.6), dpi=100, layout="constrained")
    axes = fig.add_subplot()
    bottom = [0] * len(years)
    any_planned = False
    for kind in order:
        for planned in (False, True):
            heights = [table[year][kind, planned] for year in years]
            if not any(heights):
                continue
            any_planned |= planned
            axes.bar(
                years, heights, bottom=bottom, width=0.7, color=colours[kind],
                alpha=0.45 if planned else 1.0, hatch="//" if planned else None, edgecolor="white",
                label=f"{kind} (planned)" if planned else kind,
            )
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    if years:
        axes.set_xticks(years, [str(y) for y in years])
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        axes.text(0.5, 0.5, "no dated cooperation events", ha="center", va="center", transform=axes.transAxes)
        axes.set_xticks([])
        axes.set_yticks([])
    axes.set_ylabel("events")
    axes.set_title(title, fontsize="medium")
    axes.spines[["top", "right"]].set_visible(False)
    return fig


def render(store: Store, *, format: str = "png") -> bytes:
    """The timeline of what a store holds as PNG or SVG bytes — the same bytes for the same data.

    Raises
    ------
    CoopgraphError
        for a format other than png or svg
    """
    if format not in FORMATS:
        raise CoopgraphError(f"cannot draw the timeline as '{format}' — use png or svg")
    fig = figure(events(store))
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "coopgraph", "svg.fonttype": "path"}):
        metadata = {"Software": None} if format == "png" else {"Date": None, "Creator": None}
        fig.savefig(buffer, format=format, metadata=metadata)
    return buffer.getvalue()


def timeline_files(store: Store, path: str | Path) -> dict[Path, bytes]:
    """The timeline files for ``path`` as path → bytes: a ``.png`` or ``.svg`` file, or both without a suffix.

    Raises
    ------
    CoopgraphError
        when ``path`` names another format
    """
    path = Path(path)
    suffix = path.suffix.lstrip(".").lower()
    if suffix and suffix not in FORMATS:
        raise CoopgraphError(f"cannot draw the timeline as '{path.name}' — name a .png or .svg file")
    if suffix:
        return {path: render(store, format=suffix)}
    return {path.with_name(f"{path.name}.{fmt}"): render(store, format=fmt) for fmt in FORMATS}
