"""Networks as one self-contained, interactive HTML file that works offline (vis-network inlined).

The page is written here directly rather than through pyvis's ``Network`` class: pyvis's
``add_node`` is quadratic (10,000 nodes take 12.5 s) and every one of its templates links Bootstrap
or vis-network from a CDN. vis-network is vendored in ``coopgraph/static/vis-network/`` (its
NOTICE.md says which build and from where) and inlined into the page, under a comment naming its
version and licence, together with the graph as JSON, so that nothing is fetched when it opens.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import re
import tempfile
import urllib.parse
from collections.abc import Hashable, Iterable, Mapping
from functools import lru_cache
from importlib import resources
from numbers import Real
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import numpy as np
from rdflib import URIRef

from coopgraph import resolve

__all__ = ["render_html", "html_document"]

ColorBy = Literal["country", "kind"]

#: The vis-network release vendored in ``coopgraph/static/vis-network/`` (see its NOTICE.md).
VIS_VERSION = "9.1.2"
#: Heads the inlined vis-network script and stylesheet of every page.
VIS_NOTICE = (
    f"/*! vis-network {VIS_VERSION} | https://github.com/visjs/vis-network | (c) 2011-2017 Almende B.V., "
    "(c) 2017-2019 visjs contributors | License: Apache-2.0 OR MIT */"
)
#: Above this many nodes (by default) the layout is computed in Python and physics is switched off.
PHYSICS_THRESHOLD = 500
#: Iterations vis-network may spend stabilising a small graph before it is first drawn.
STABILIZATION_ITERATIONS = 150
#: Average distance between neighbouring nodes in the page, in vis-network's pixels.
SPACING = 60.0
#: Up to this many nodes a connected component is laid out with exact pairwise repulsion.
EXACT_LAYOUT_MAX = 256
#: Fruchterman-Reingold iterations for a large component (each costs O(nodes + edges + grid)).
FORCE_ITERATIONS = 60
LAYOUT_SEED = 0x636F6F70

# Colour-blind friendly categorical colours (Tableau 20 without its greys), most distinct first.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#499894", "#d37295", "#a0cbe8", "#ffbe7d", "#8cd17d", "#b6992d", "#86bcb6",
    "#fabfd2", "#d4a6c8", "#f1ce63", "#bab0ac",
)  # fmt: skip
NONE_COLOR = "#c8c8c8"
SEVERAL_KINDS_COLOR = "#555555"

# Columns of the JSON rows the page reads (kept short: a page may hold 100,000 nodes).
NODE_COLUMNS = ("iri", "label", "kind", "country", "x", "y", "size", "city", "names", "sources")
EDGE_COLUMNS = ("from", "to", "width", "kinds", "first_year", "last_year", "weight", "sources", "label")
#: Characters an IRI cannot hold (a node key with one is percent-encoded before it becomes an id to search).
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')


# --------------------------------------------------------------------------------------------------
# public API


def render_html(
    G: nx.Graph,
    path: str | os.PathLike[str],
    *,
    title: str = "coopgraph",
    color_by: ColorBy = "country",
    physics: bool | None = None,
    physics_threshold: int = PHYSICS_THRESHOLD,
) -> Path:
    """Write a network as one self-contained interactive HTML file.

    The file is written to a temporary file in the same folder and renamed over ``path`` only once
    it is complete, so a failure leaves any existing file as it was.

    Parameters
    ----------
    G : networkx.Graph
        The network (see :func:`html_document` for the node and edge attributes read).
    path : str or path-like
        The HTML file to write.
    title : str, optional
        The page title and heading.
    color_by : {"country", "kind"}, optional
        The node attribute that chooses a node's colour (the page can switch it).
    physics : bool or None, optional
        Let vis-network's physics move the nodes; ``None`` (the default) turns it on only for
        graphs of at most ``physics_threshold`` nodes.
    physics_threshold : int, optional
        The node count above which physics is off when ``physics`` is ``None``.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    TypeError, ValueError
        When a node or edge attribute has the wrong type or value (the message names it).
    OSError
        When the folder cannot be written.

    Examples
    --------
    >>> import networkx as nx, tempfile, pathlib
    >>> G = nx.Graph()
    >>> G.add_node("https://example.org/lstu", label="LSTU", kind="University", country="RU")
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "net.html"
    >>> render_html(G, out, title="Partners").name
    'net.html'
    """
    target = Path(path)
    document = html_document(G, title=title, color_by=color_by, physics=physics, physics_threshold=physics_threshold)
    _write_atomically(target, document.encode("utf-8"))
    return target


def html_document(
    G: nx.Graph,
    *,
    title: str = "coopgraph",
    color_by: ColorBy = "country",
    physics: bool | None = None,
    physics_threshold: int = PHYSICS_THRESHOLD,
) -> str:
    """Return the text of a self-contained interactive HTML page showing a network.

    The page inlines vis-network and the graph, and loads nothing from the network. It colours nodes
    by country or kind with a legend, sizes edges by weight, has a search box that finds a node as the
    institution resolver does (an id, ROR or Wikidata id, an acronym, any name or alias in any language
    and inflection: :func:`coopgraph.resolve.search_index`), filters by node kind, country and edge
    kind, and shows every name, the city, the country and the sources of a node (kinds, years, weight
    and sources of an edge) in a tooltip and in a details panel. All text from the graph is shown as
    text, never interpreted as HTML.

    Parameters
    ----------
    G : networkx.Graph
        Nodes are IRIs (any hashable is shown through ``str``). Node attributes read: ``label``
        (str; the IRI when missing), ``kind`` (str), ``country`` (str or None), ``names`` (dict
        language -> str), ``city`` (str or None), ``sources`` (list of str) and ``x``, ``y``
        (numbers; used only when every node has both, otherwise the layout is computed); for the
        search box also ``iri`` (str; the node when missing), ``aliases`` (dict language -> list of
        str), ``acronyms``, ``ror`` and ``wikidata`` (lists of str: ROR and Wikidata IRIs). Edge
        attributes read: ``weight`` (number >= 1, default 1), ``kinds`` (list of str),
        ``first_year``, ``last_year`` (int or None), ``sources`` (list of str), ``label`` (str).
        A multigraph is drawn as a graph: parallel edges are merged, their weights added, their
        kinds and sources united and their years spanned. Directed graphs get arrows.
    title : str, optional
        The page title and heading.
    color_by : {"country", "kind"}, optional
        The node attribute that chooses a node's colour.
    physics : bool or None, optional
        Let vis-network's physics move the nodes (from the computed layout, for at most
        150 iterations before the first drawing); ``None`` turns it on only for graphs of at most
        ``physics_threshold`` nodes.
    physics_threshold : int, optional
        The node count above which physics is off when ``physics`` is ``None``.

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    TypeError, ValueError
        When a node or edge attribute has the wrong type or value (the message names it), or
        ``color_by`` is neither ``"country"`` nor ``"kind"``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G.add_node("https://example.org/lstu", label="LSTU", kind="University", country="RU",
    ...            names={"ru": "ЛГТУ", "en": "Lipetsk State Technical University"})
    >>> G.add_node("https://example.org/ustl", label="USTL", kind="University", country="CN",
    ...            names={"zh": "辽宁科技大学"})
    >>> G.add_edge("https://example.org/lstu", "https://example.org/ustl", weight=2,
    ...            kinds=["agreement", "visit"], first_year=2019, last_year=2023)
    >>> page = html_document(G, title="LSTU partners")
    >>> page.startswith("<!DOCTYPE html>"), "https://" in page.split("<script")[0]
    (True, False)
    """
    if color_by not in ("country", "kind"):
        raise ValueError(f"color_by must be 'country' or 'kind', not {color_by!r}")
    if physics_threshold < 0:
        raise ValueError(f"physics_threshold must be 0 or more, not {physics_threshold!r}")
    data = _page_data(G, title=str(title), color_by=color_by, physics=physics, physics_threshold=physics_threshold)
    return _document(str(title), _script_json(data))


# --------------------------------------------------------------------------------------------------
# graph -> page data


def _page_data(G: nx.Graph, *, title: str, color_by: str, physics: bool | None, physics_threshold: int) -> dict[str, Any]:
    nodes = list(G.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    n = len(nodes)

    kinds = _Categories()
    countries = _Categories()
    rows: list[list[Any]] = []
    given_xy: list[tuple[float, float]] | None = []
    for node, attrs in G.nodes(data=True):
        get = attrs.get
        iri = str(node)
        where = ("node", node)
        label = _text(get("label"), iri, where, "label")
        row = [
            iri,
            label,
            kinds.index(_text(get("kind"), None, where, "kind")),
            countries.index(_text(get("country"), None, where, "country")),
            0.0,
            0.0,
            0,
            _text(get("city"), None, where, "city"),
            _names(get("names"), where),
            _texts(get("sources"), where, "sources"),
        ]
        rows.append(row)
        if given_xy is not None:
            xy = _position(attrs, where)
            if xy is None:
                given_xy = None
            else:
                given_xy.append(xy)
    kinds.count([row[2] for row in rows])
    countries.count([row[3] for row in rows])

    edge_kinds = _Categories()
    edge_rows, src, dst, weights = _edges(G, index, edge_kinds)

    degree = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    sizes = np.minimum(8.0 + 2.0 * np.sqrt(degree), 40.0).round(1).tolist()
    if given_xy is not None and n:
        positions = np.asarray(given_xy, dtype=float)
    else:
        positions = _layout(n, src, dst, weights)
    positions = _to_pixels(positions).tolist()
    for row, (x, y), size in zip(rows, positions, sizes, strict=True):
        row[4], row[5], row[6] = x, y, size

    if physics is None:
        physics = n <= physics_threshold
    search = _search(G, rows)
    return {
        "title": title,
        "colorBy": color_by,
        "directed": G.is_directed(),
        "nodeColumns": NODE_COLUMNS,
        "edgeColumns": EDGE_COLUMNS,
        "categories": {
            "kind": kinds.legend(missing="no kind"),
            "country": countries.legend(missing="no country"),
            "edgeKind": edge_kinds.legend(missing="unspecified"),
        },
        "severalKindsColor": SEVERAL_KINDS_COLOR,
        "options": _vis_options(n, len(edge_rows), physics=bool(physics), directed=G.is_directed()),
        "nodes": rows,
        "edges": edge_rows,
        "search": search,
    }


def _search(G: nx.Graph, rows: list[list[Any]]) -> dict[str, Any]:
    """The tables the search box matches a query against: every node's names, aliases, acronyms and ids as
    the institution resolver reads them (:func:`coopgraph.resolve.search_index`; ``entries`` in node order)."""
    found = []
    for (node, attrs), row in zip(G.nodes(data=True), rows, strict=True):
        where = ("node", node)
        label, names = row[1], row[8]
        written = [(text, lang or None) for lang, text in names.items()]
        written += [(text, lang or None) for lang, texts in _aliases(attrs.get("aliases"), where).items() for text in texts]
        if label not in {text for text, _ in written}:
            written.insert(0, (label, None))
        ror, wikidata = _texts(attrs.get("ror"), where, "ror"), _texts(attrs.get("wikidata"), where, "wikidata")
        found.append(
            resolve.Institution(
                _iri(_text(attrs.get("iri"), row[0], where, "iri") or row[0]),
                names=tuple(written),
                acronyms=tuple(_texts(attrs.get("acronyms"), where, "acronyms")),
                ror=tuple(ror),
                wikidata=tuple(wikidata),
            )
        )
    return resolve.search_index(found)


def _iri(text: str) -> URIRef:
    """``text`` as an IRI; a node key that cannot be one (spaces, quotes …) percent-encoded."""
    return URIRef(text if not _NOT_IN_IRI.search(text) else urllib.parse.quote(text, safe=":/#?&=@+~%"))


def _edges(
    G: nx.Graph, index: Mapping[Hashable, int], edge_kinds: _Categories
) -> tuple[list[list[Any]], np.ndarray, np.ndarray, np.ndarray]:
    """Edge rows for the page, and the endpoints and weights as arrays for the layout."""
    if G.is_multigraph():
        edges: Iterable[tuple[Any, Any, Mapping[str, Any]]] = _merged_edges(G, index)
    else:
        edges = G.edges(data=True)
    rows: list[list[Any]] = []
    kind_ids: dict[tuple[Any, ...], list[int]] = {}
    counted: list[list[int]] = []
    log2 = math.log2
    for u, v, attrs in edges:
        get = attrs.get
        # fast paths for the common, well-typed values; anything else goes through the checks
        weight = get("weight", 1)
        if type(weight) is not int or weight < 0:
            weight = _weight(weight, ("edge", u, v))
        kinds = get("kinds")
        try:
            key = tuple(kinds) if type(kinds) is list else None
            ids = kind_ids.get(key) if key else None
        except TypeError:  # unhashable items: let the check say what is wrong
            key = ids = None
        if ids is None:
            checked = tuple(_texts(kinds, ("edge", u, v), "kinds")) or (None,)
            ids = sorted({edge_kinds.index(k) for k in checked})
            if key is not None:
                kind_ids[key] = ids
        counted.append(ids)
        first, last = get("first_year"), get("last_year")
        if first is not None and type(first) is not int:
            first = _year(first, ("edge", u, v), "first_year")
        if last is not None and type(last) is not int:
            last = _year(last, ("edge", u, v), "last_year")
        label = get("label")
        if label is not None and type(label) is not str:
            label = _text(label, None, ("edge", u, v), "label")
        rows.append(
            [
                index[u],
                index[v],
                round(min(1.0 + 1.5 * log2(weight if weight > 1 else 1), 10.0), 2),
                ids,
                first,
                last,
                weight,
                _texts(get("sources"), ("edge", u, v), "sources"),
                label,
            ]
        )
    edge_kinds.count([k for ids in counted for k in ids])
    src = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    dst = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
    weights = np.fromiter((row[6] for row in rows), dtype=float, count=len(rows))
    return rows, src, dst, weights


def drawn_edges(G: nx.Graph) -> int:
    """How many edges the page draws: one per pair of nodes (a multigraph's parallel edges are merged,
    as :func:`_merged_edges` merges them), so that what a command says agrees with what the page shows."""
    if not G.is_multigraph():
        return G.number_of_edges()
    directed = G.is_directed()
    return len({(u, v) if directed else frozenset((u, v)) for u, v in G.edges()})


def _merged_edges(G: nx.Graph, index: Mapping[Hashable, int]) -> list[tuple[Any, Any, dict[str, Any]]]:
    """Parallel edges of a multigraph merged into one edge per pair of nodes."""
    merged: dict[tuple[int, int], tuple[Any, Any, dict[str, Any]]] = {}
    directed = G.is_directed()
    for u, v, attrs in G.edges(data=True):
        key = (index[u], index[v])
        if not directed and key[0] > key[1]:
            key = (key[1], key[0])
        if key not in merged:
            merged[key] = (u, v, dict(attrs))
            continue
        where = ("edge", u, v)
        into = merged[key][2]
        into["weight"] = _weight(into.get("weight", 1), where) + _weight(attrs.get("weight", 1), where)
        for name in ("kinds", "sources"):
            seen = _texts(into.get(name), where, name)
            into[name] = seen + [t for t in _texts(attrs.get(name), where, name) if t not in seen]
        for name, pick in (("first_year", min), ("last_year", max)):
            years = [_year(y, where, name) for y in (into.get(name), attrs.get(name)) if y is not None]
            into[name] = pick(y for y in years if y is not None) if years else None
        labels = [_text(t, None, where, "label") for t in (into.get("label"), attrs.get("label")) if t]
        into["label"] = "; ".join(dict.fromkeys(t for t in labels if t)) if labels else None
    return list(merged.values())


class _Categories:
    """Values of one attribute, numbered in order of appearance; ``None`` means missing."""

    def __init__(self) -> None:
        self.ids: dict[str | None, int] = {}
        self.counts: list[int] = []

    def index(self, value: str | None) -> int:
        i = self.ids.get(value)
        if i is None:
            i = self.ids[value] = len(self.ids)
        return i

    def count(self, indices: list[int]) -> None:
        """Record how often each value occurs, from the indices handed out."""
        self.counts = np.bincount(np.asarray(indices, dtype=np.int64), minlength=len(self.ids)).tolist()

    def legend(self, *, missing: str) -> list[dict[str, Any]]:
        """One legend entry per value, in page order; colours go to the most frequent values first."""
        values = list(self.ids)
        ranked = sorted((v for v in values if v is not None), key=lambda v: (-self.counts[self.ids[v]], v))
        colors = {v: _color(rank) for rank, v in enumerate(ranked)}
        colors[None] = NONE_COLOR
        rank_of = {v: r for r, v in enumerate(ranked)}
        return [
            {
                "value": v,
                "label": missing if v is None else v,
                "count": self.counts[self.ids[v]],
                "order": rank_of.get(v, len(ranked)),
                "color": colors[v],
                "border": _darker(colors[v]),
            }
            for v in values
        ]


def _color(rank: int) -> str:
    if rank < len(PALETTE):
        return PALETTE[rank]
    # beyond the palette: hues a golden angle apart, mid saturation and lightness
    hue = (rank * 137.508) % 360
    return _hsl_to_hex(hue, 0.55, 0.55)


def _hsl_to_hex(h: float, s: float, lightness: float) -> str:
    c = (1 - abs(2 * lightness - 1)) * s
    x = c * (1 - abs((h / 60) % 2 - 1))
    m = lightness - c / 2
    r, g, b = [(c, x, 0), (x, c, 0), (0, c, x), (0, x, c), (x, 0, c), (c, 0, x)][int(h // 60) % 6]
    return "#" + "".join(f"{round((t + m) * 255):02x}" for t in (r, g, b))


def _darker(color: str, factor: float = 0.7) -> str:
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(t * factor):02x}" for t in rgb)


# attribute checks: the network module's output is trusted in shape, but a wrong type must be named


def _where(where: tuple[Any, ...]) -> str:
    """``("node", n)`` or ``("edge", u, v)`` as it reads in a message."""
    if where[0] == "edge":
        return f"edge ({where[1]!s}, {where[2]!s})"
    return f"node {where[1]!s}"


def _text(value: Any, default: str | None, where: tuple[Any, ...], name: str) -> str | None:
    if value is None:
        return default
    if type(value) is str or isinstance(value, str):
        return value
    raise TypeError(f"{_where(where)}: attribute {name!r} must be a str, not {type(value).__name__}")


def _texts(value: Any, where: tuple[Any, ...], name: str) -> list[str]:
    if value is None:
        return []
    if type(value) is list:
        for item in value:
            if type(item) is not str:
                break
        else:
            return value
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"{_where(where)}: attribute {name!r} must be a list of str, not {type(value).__name__}")
    out = list(value)
    for item in out:
        if not isinstance(item, str):
            raise TypeError(
                f"{_where(where)}: attribute {name!r} holds a {type(item).__name__} ({item!r}); it must hold only str"
            )
    return out


def _names(value: Any, where: tuple[Any, ...]) -> dict[str, str]:
    if value is None:
        return {}
    if type(value) is dict:
        for lang, name in value.items():
            if type(lang) is not str or type(name) is not str:
                break
        else:
            return value
    if not isinstance(value, Mapping):
        raise TypeError(f"{_where(where)}: attribute 'names' must be a dict language -> str, not {type(value).__name__}")
    for lang, name in value.items():
        if not isinstance(lang, str) or not isinstance(name, str):
            raise TypeError(
                f"{_where(where)}: attribute 'names' maps {lang!r} to {name!r}; it must map a language (str) to a name (str)"
            )
    return dict(value)


def _aliases(value: Any, where: tuple[Any, ...]) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{_where(where)}: attribute 'aliases' must be a dict language -> list of str, not {type(value).__name__}"
        )
    for lang in value:
        if not isinstance(lang, str):
            raise TypeError(f"{_where(where)}: attribute 'aliases' has the key {lang!r}; it must be a language (str)")
    return {lang: _texts(texts, where, f"aliases[{lang!r}]") for lang, texts in value.items()}


def _weight(value: Any, where: tuple[Any, ...]) -> float | int:
    if type(value) is int and value >= 0:
        return value
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{_where(where)}: 'weight' must be a number, not {type(value).__name__}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{_where(where)}: 'weight' must be a finite number >= 0, not {value!r}")
    return int(value) if isinstance(value, int) or float(value).is_integer() else float(value)


def _year(value: Any, where: tuple[Any, ...], name: str) -> int | None:
    if value is None or type(value) is int:
        return value
    if isinstance(value, bool) or not isinstance(value, Real) or not float(value).is_integer():
        raise TypeError(f"{_where(where)}: {name!r} must be an int or None, not {value!r}")
    return int(value)


def _position(attrs: Mapping[str, Any], where: tuple[Any, ...]) -> tuple[float, float] | None:
    x, y = attrs.get("x"), attrs.get("y")
    if x is None or y is None:
        return None
    for name, value in (("x", x), ("y", y)):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{_where(where)}: {name!r} must be a number, not {type(value).__name__}")
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    return float(x), float(y)


# --------------------------------------------------------------------------------------------------
# layout: force-directed, linear in the graph's size per iteration


def _layout(n: int, src: np.ndarray, dst: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Positions (about one unit between neighbours) for ``n`` nodes joined by ``src``-``dst`` edges.

    Each connected component is laid out on its own, then the components are packed in rows,
    largest first. Small components use Fruchterman-Reingold with exact repulsion, many of the same
    padded size at once; large ones start from a spectral drawing (power iteration on the random
    walk matrix, after Koren) and refine it with Fruchterman-Reingold whose repulsion is computed on
    a grid by FFT, so each iteration costs O(nodes + edges + grid).
    """
    out = np.zeros((n, 2))
    if n == 0:
        return out
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rng = np.random.default_rng(LAYOUT_SEED)
    loops = src == dst
    src, dst, weights = src[~loops], dst[~loops], weights[~loops]
    attraction = 1.0 + np.log(np.maximum(weights, 1.0))
    adjacency = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    count, component = connected_components(adjacency, directed=False)
    sizes = np.bincount(component, minlength=count)
    members = np.argsort(component, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    local = np.empty(n, dtype=np.int64)
    local[members] = np.arange(n) - starts[component[members]]
    edge_component = component[src]

    for c in np.flatnonzero(sizes > EXACT_LAYOUT_MAX):
        nodes = members[starts[c] : starts[c + 1]]
        e = edge_component == c
        out[nodes] = _grid_force_layout(len(nodes), local[src[e]], local[dst[e]], attraction[e], rng)

    small = (sizes > 1) & (sizes <= EXACT_LAYOUT_MAX)
    padded = np.where(small, 2 ** np.ceil(np.log2(np.maximum(sizes, 1))).astype(np.int64), 0)
    for width in np.unique(padded[small]):
        comps = np.flatnonzero(padded == width)
        per_batch = max(1, 2_000_000 // int(width) ** 2)
        for first in range(0, len(comps), per_batch):
            batch = comps[first : first + per_batch]
            slot = np.full(count, -1)
            slot[batch] = np.arange(len(batch))
            e = slot[edge_component] >= 0
            base = slot[edge_component[e]] * width
            pos = _exact_force_layout(sizes[batch], int(width), base + local[src[e]], base + local[dst[e]], attraction[e], rng)
            for k, c in enumerate(batch):
                out[members[starts[c] : starts[c + 1]]] = pos[k, : sizes[c]]
    return _pack(out, component, count, sizes)


def _attraction(pos: np.ndarray, src: np.ndarray, dst: np.ndarray, strength: np.ndarray) -> np.ndarray:
    n = len(pos)
    d = pos[dst] - pos[src]
    f = d * (np.sqrt((d * d).sum(1)) * strength)[:, None]
    return np.stack(
        [
            np.bincount(src, f[:, 0], n) - np.bincount(dst, f[:, 0], n),
            np.bincount(src, f[:, 1], n) - np.bincount(dst, f[:, 1], n),
        ],
        axis=1,
    )


def _move(pos: np.ndarray, disp: np.ndarray, limit: np.ndarray | float) -> None:
    length = np.sqrt((disp * disp).sum(-1)) + 1e-12
    pos += disp * (np.minimum(length, limit) / length)[..., None]


def _exact_force_layout(
    sizes: np.ndarray,
    width: int,
    src: np.ndarray,
    dst: np.ndarray,
    strength: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Fruchterman-Reingold for ``len(sizes)`` components padded to ``width`` nodes each."""
    count = len(sizes)
    valid = (np.arange(width)[None, :] < sizes[:, None]).astype(float)
    side = np.sqrt(sizes.astype(float))[:, None, None]
    pos = rng.uniform(-0.5, 0.5, (count, width, 2)) * side
    flat = pos.reshape(count * width, 2)
    iterations = 60 if width > 8 else 40
    diagonal = np.arange(width)
    for it in range(iterations):
        limit = side[:, :, 0] / 6 * (1 - it / iterations) + 0.02
        dx = pos[:, :, None, 0] - pos[:, None, :, 0]
        dy = pos[:, :, None, 1] - pos[:, None, :, 1]
        inverse = valid[:, None, :] / np.maximum(dx * dx + dy * dy, 1e-4)
        inverse[:, diagonal, diagonal] = 0.0
        disp = np.stack([(dx * inverse).sum(2), (dy * inverse).sum(2)], axis=-1)
        disp -= pos * (0.05 / side)
        disp += _attraction(flat, src, dst, strength).reshape(count, width, 2)
        _move(pos, disp, limit)
    return pos


@lru_cache(maxsize=8)
def _field_kernel(grid: int) -> tuple[np.ndarray, np.ndarray]:
    """FFT of the repulsion field r/|r|^2 on a (2 grid)^2 zero-padded grid, in cell units."""
    from scipy import fft

    m = 2 * grid
    c = np.arange(m, dtype=np.float32)
    c = np.where(c < grid, c, c - m)
    x, y = np.meshgrid(c, c, indexing="ij")
    r2 = x * x + y * y
    r2[0, 0] = 1.0
    kx, ky = x / r2, y / r2
    kx[0, 0] = ky[0, 0] = 0.0
    return fft.rfft2(kx), fft.rfft2(ky)


def _spectral_start(n: int, src: np.ndarray, dst: np.ndarray, strength: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    from scipy.sparse import coo_matrix

    a = coo_matrix(
        (np.concatenate([strength, strength]), (np.concatenate([src, dst]), np.concatenate([dst, src]))),
        shape=(n, n),
    ).tocsr()
    degree = np.asarray(a.sum(axis=1)).ravel()
    degree[degree == 0] = 1.0
    x = rng.standard_normal((n, 2))
    for _ in range(100):
        x = 0.5 * (x + (a @ x) / degree[:, None])
        for j in range(2):  # degree-orthogonal to the constant vector and to the first axis
            x[:, j] -= (x[:, j] * degree).sum() / degree.sum()
            if j == 1:
                x[:, 1] -= (x[:, 1] * degree * x[:, 0]).sum() / (x[:, 0] ** 2 * degree).sum() * x[:, 0]
            x[:, j] /= np.sqrt((x[:, j] ** 2 * degree).sum()) + 1e-300
    return x / (np.abs(x).max(axis=0) + 1e-12)


def _grid_force_layout(n: int, src: np.ndarray, dst: np.ndarray, strength: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Fruchterman-Reingold with repulsion from a density grid (particle-mesh), from a spectral start."""
    side = math.sqrt(n)
    pos = _spectral_start(n, src, dst, strength, rng) * side / 2 + rng.uniform(-0.5, 0.5, (n, 2))
    from scipy import fft

    grid = int(min(256, max(16, 2 ** round(math.log2(side)))))
    m = 2 * grid
    kx, ky = _field_kernel(grid)
    iterations = FORCE_ITERATIONS
    for it in range(iterations):
        limit = side / 10 * (1 - it / iterations) + 0.02
        low = pos.min(axis=0)
        h = max(float((pos.max(axis=0) - low).max()) / (grid - 1), 1e-9)
        cell = np.minimum(((pos - low) / h).astype(np.int64), grid - 1)
        flat = cell[:, 0] * grid + cell[:, 1]
        counts = np.bincount(flat, minlength=grid * grid)
        density = np.zeros((m, m), dtype=np.float32)
        density[:grid, :grid] = counts.reshape(grid, grid)
        spectrum = fft.rfft2(density)
        padded = cell[:, 0] * m + cell[:, 1]
        fx = fft.irfft2(spectrum * kx, s=(m, m)).ravel()[padded]
        fy = fft.irfft2(spectrum * ky, s=(m, m)).ravel()[padded]
        disp = np.stack([fx, fy], axis=1).astype(float) / h
        # nodes sharing a cell repel from the cell's centre of mass
        together = counts[flat].astype(float)
        centre = np.stack([np.bincount(flat, pos[:, 0], grid * grid), np.bincount(flat, pos[:, 1], grid * grid)], axis=1)
        d = pos - centre[flat] / together[:, None]
        disp += d * ((together - 1) / np.maximum((d * d).sum(1), 1e-4))[:, None]
        disp -= pos * (0.05 / side)
        disp += _attraction(pos, src, dst, strength)
        _move(pos, disp, limit)
    return pos


def _pack(pos: np.ndarray, component: np.ndarray, count: int, sizes: np.ndarray) -> np.ndarray:
    """Place the components side by side in rows, largest first, about as wide as tall overall."""
    low = np.full((count, 2), np.inf)
    high = np.full((count, 2), -np.inf)
    np.minimum.at(low, component, pos)
    np.maximum.at(high, component, pos)
    box = high - low + 1.5
    width = max(math.sqrt(float((box[:, 0] * box[:, 1]).sum())) * 1.1, float(box[:, 0].max()))
    shift = np.zeros((count, 2))
    x = y = row_height = 0.0
    for c in np.argsort(-sizes, kind="stable").tolist():
        if x > 0 and x + box[c, 0] > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        shift[c] = (x - low[c, 0], y - low[c, 1])
        x += box[c, 0]
        row_height = max(row_height, box[c, 1])
    return pos + shift[component]


def _to_pixels(pos: np.ndarray) -> np.ndarray:
    """Centre the drawing and scale it to about ``SPACING`` pixels between neighbouring nodes."""
    n = len(pos)
    if n == 0:
        return pos
    low, high = pos.min(axis=0), pos.max(axis=0)
    extent = float((high - low).max())
    scale = SPACING * math.sqrt(n) / extent if extent > 0 else 1.0
    return np.round((pos - (low + high) / 2) * scale, 1)


# --------------------------------------------------------------------------------------------------
# the page


def _vis_options(nodes: int, edges: int, *, physics: bool, directed: bool) -> dict[str, Any]:
    busy = nodes + edges > 20_000
    return {
        "autoResize": True,
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "font": {"size": 14, "face": "sans-serif", "color": "#222222"},
        },
        "edges": {
            "smooth": False,
            "selectionWidth": 1.5,
            "hoverWidth": 0.5,
            "color": {"inherit": False},
            "arrows": {"to": {"enabled": directed, "scaleFactor": 0.5}},
        },
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": busy,
            "hideEdgesOnZoom": busy,
            "keyboard": False,
            "multiselect": False,
        },
        "physics": {
            "enabled": physics,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -3000, "springLength": 90, "avoidOverlap": 0.1},
            "minVelocity": 1.0,
            "stabilization": {
                "enabled": True,
                "iterations": STABILIZATION_ITERATIONS,
                "updateInterval": 50,
                "fit": True,
            },
        },
    }


_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def _script_json(data: Any) -> str:
    """JSON that can sit inside ``<script type="application/json">``: no ``<``, ``>``, ``&`` raw.

    Those characters occur only inside JSON strings, where ``\\u003c`` and friends mean the same.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: let JSON escape it, the browser reads it back
        text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    for char, escape in _SCRIPT_ESCAPES:  # str.replace is ~100x faster than str.translate here
        if char in text:
            text = text.replace(char, escape)
    return text


def _asset(name: str) -> str:
    """A vendored vis-network file, preceded by the comment that names the library and its licence."""
    text = resources.files("coopgraph").joinpath("static", "vis-network", name).read_text(encoding="utf-8")
    return VIS_NOTICE + "\n" + text


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


@lru_cache(maxsize=1)
def _static_parts() -> tuple[str, str, str]:
    """The page's fixed head, scripts and Content-Security-Policy, read and hashed once."""
    vis_js = _asset("vis-network.min.js")
    vis_css = _asset("vis-network.min.css")
    for text, closer in ((vis_js, "</script"), (_APP_JS, "</script"), (vis_css, "</style")):
        lowered = text.lower()
        if closer in lowered or "<!--" in lowered:
            raise ValueError(f"an inlined asset contains {closer!r} or '<!--' and cannot be inlined")
    policy = (
        "default-src 'none'; "
        f"script-src {_csp_hash(vis_js)} {_csp_hash(_APP_JS)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    style = vis_css + "\n" + _APP_CSS
    scripts = f"<script>{vis_js}</script>\n<script>{_APP_JS}</script>\n"
    return policy, style, scripts


def _document(title: str, data_json: str) -> str:
    policy, style, scripts = _static_parts()
    heading = html.escape(title, quote=True)
    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
            f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy, quote=False)}">\n',
            '<meta name="referrer" content="no-referrer">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            f"<title>{heading}</title>\n<style>{style}</style>\n</head>\n<body>\n",
            _BODY.replace("{heading}", heading),
            '<script type="application/json" id="coopgraph-data">',
            data_json,
            "</script>\n",
            scripts,
            "</body>\n</html>\n",
        ]
    )


def _write_atomically(target: Path, content: bytes) -> None:
    folder = target.parent
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


_BODY = """\
<div id="app">
<aside id="side">
<h1 id="heading">{heading}</h1>
<p id="status" aria-live="polite"></p>
<label for="search" class="caption">Find a node (any name, any language)</label>
<input id="search" type="search" autocomplete="off" spellcheck="false" placeholder="name, acronym, id or ROR id">
<ol id="results"></ol>
<section id="details" aria-live="polite"></section>
<section id="legend"></section>
<p class="switches">
<span class="caption">Colour by</span>
<label><input type="radio" name="colorby" value="country"> country</label>
<label><input type="radio" name="colorby" value="kind"> kind</label>
<br><label><input type="checkbox" id="physics"> physics</label>
</p>
</aside>
<main id="network" aria-label="network"></main>
</div>
<div id="tooltip" role="tooltip"></div>
"""

_APP_CSS = """
html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, sans-serif; color: #222; background: #fff; }
#app { display: flex; height: 100vh; }
#side { width: 320px; flex: none; overflow: auto; border-right: 1px solid #ddd; padding: 8px 12px;
  box-sizing: border-box; }
#side h1 { font-size: 18px; margin: 4px 0 2px; overflow-wrap: anywhere; }
#network { flex: 1; position: relative; min-width: 0; }
#status { color: #555; margin: 0 0 8px; font-size: 12px; }
.caption { display: block; font-weight: 600; margin: 8px 0 2px; }
#search { width: 100%; box-sizing: border-box; padding: 4px 6px; font: inherit; }
#results { list-style: none; padding: 0; margin: 4px 0; }
#results button { display: block; width: 100%; text-align: left; border: 0; background: none;
  padding: 3px 4px; font: inherit; cursor: pointer; overflow-wrap: anywhere; }
#results button:hover, #results button:focus { background: #eef3fa; }
#results .also, .muted { color: #666; font-size: 12px; }
#details { border-top: 1px solid #ddd; margin-top: 8px; }
#details:empty { display: none; }
.info h3 { font-size: 15px; margin: 6px 0 4px; overflow-wrap: anywhere; white-space: pre-wrap; }
.info dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 1px 8px; }
.info dt { color: #666; }
.info dd { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
.info ul { margin: 0; padding-left: 16px; }
#legend h2 { font-size: 14px; margin: 10px 0 2px; }
#legend h2 button { font-size: 11px; margin-left: 6px; }
#legend label { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin: 0 5px 0 2px;
  vertical-align: -1px; border: 1px solid rgba(0, 0, 0, .35); }
.swatch.edge { border-radius: 1px; height: 4px; vertical-align: 2px; }
#tooltip { position: fixed; display: none; z-index: 10; max-width: 360px; pointer-events: none;
  background: #fffff4; border: 1px solid #999; border-radius: 3px; padding: 4px 8px; font-size: 12px;
  box-shadow: 0 1px 4px rgba(0, 0, 0, .2); }
"""

# The page script. Text from the graph only ever reaches the DOM through textContent.
_APP_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("coopgraph-data").textContent);
  var N = {IRI: 0, LABEL: 1, KIND: 2, COUNTRY: 3, X: 4, Y: 5, SIZE: 6, CITY: 7, NAMES: 8, SOURCES: 9};
  var E = {FROM: 0, TO: 1, WIDTH: 2, KINDS: 3, FIRST: 4, LAST: 5, WEIGHT: 6, SOURCES: 7, LABEL: 8};
  var nodes = data.nodes, edges = data.edges, cats = data.categories;
  var colorBy = data.colorBy;
  var big = nodes.length > 20000;
  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function shortLabel(s) {
    s = String(s).replace(/\s+/g, " ").trim();
    return s.length > 40 ? s.slice(0, 39) + "\u2026" : s;
  }
  function column(dim) { return dim === "kind" ? N.KIND : N.COUNTRY; }
  function groupOf(i) { return colorBy + ":" + nodes[i][column(colorBy)]; }

  var groups = {};
  ["kind", "country"].forEach(function (dim) {
    cats[dim].forEach(function (c, j) {
      var hl = {background: c.color, border: "#000000"};
      groups[dim + ":" + j] = {color: {background: c.color, border: c.border, highlight: hl, hover: hl}};
    });
  });
  var options = data.options;
  options.groups = groups;

  var edgeColors = cats.edgeKind.map(function (c) {
    return {color: c.color, highlight: c.border, hover: c.border, opacity: 0.8};
  });
  var several = {color: data.severalKindsColor, highlight: "#000000", hover: "#000000", opacity: 0.8};
  var nodeItems = new Array(nodes.length), edgeItems = new Array(edges.length), i;
  for (i = 0; i < nodes.length; i++) {
    var n = nodes[i];
    nodeItems[i] = {id: i, label: shortLabel(n[N.LABEL]), x: n[N.X], y: n[N.Y], size: n[N.SIZE],
                    group: groupOf(i)};
  }
  for (i = 0; i < edges.length; i++) {
    var e = edges[i], k = e[E.KINDS];
    edgeItems[i] = {id: i, from: e[E.FROM], to: e[E.TO], width: e[E.WIDTH],
                    color: k.length === 1 ? edgeColors[k[0]] : several};
  }

  // filters
  var on = {kind: cats.kind.map(function () { return true; }),
            country: cats.country.map(function () { return true; }),
            edgeKind: cats.edgeKind.map(function () { return true; })};
  var nodeOn = new Uint8Array(nodes.length).fill(1), edgeOn = new Uint8Array(edges.length).fill(1);
  var shownNodes = nodes.length, shownEdges = edges.length;
  function computeFilters() {
    shownNodes = 0; shownEdges = 0;
    for (var i = 0; i < nodes.length; i++) {
      nodeOn[i] = on.kind[nodes[i][N.KIND]] && on.country[nodes[i][N.COUNTRY]] ? 1 : 0;
      shownNodes += nodeOn[i];
    }
    for (i = 0; i < edges.length; i++) {
      var e = edges[i], show = nodeOn[e[E.FROM]] && nodeOn[e[E.TO]], kinds = e[E.KINDS], any = false;
      for (var j = 0; show && !any && j < kinds.length; j++) any = on.edgeKind[kinds[j]];
      edgeOn[i] = show && any ? 1 : 0;
      shownEdges += edgeOn[i];
    }
  }
  var nodeSet = new vis.DataSet(nodeItems), edgeSet = new vis.DataSet(edgeItems);
  var nodeView = new vis.DataView(nodeSet, {filter: function (item) { return nodeOn[item.id] === 1; }});
  var edgeView = new vis.DataView(edgeSet, {filter: function (item) { return edgeOn[item.id] === 1; }});
  function applyFilters() {
    computeFilters();
    nodeView.refresh();
    edgeView.refresh();
    status();
  }
  function status() {
    var all = shownNodes === nodes.length && shownEdges === edges.length;
    $("status").textContent = all
      ? nodes.length + " nodes, " + edges.length + " edges"
      : "showing " + shownNodes + " of " + nodes.length + " nodes, " +
        shownEdges + " of " + edges.length + " edges";
  }

  var network = new vis.Network($("network"), {nodes: nodeView, edges: edgeView}, options);
  network.once("afterDrawing", function () {
    window.coopgraphFirstDrawing = performance.now();
    document.documentElement.setAttribute("data-drawn", "true");
  });
  var physicsBox = $("physics");
  physicsBox.checked = !!options.physics.enabled;
  physicsBox.addEventListener("change", function () {
    network.setOptions({physics: {enabled: physicsBox.checked}});
  });
  if (options.physics.enabled) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      physicsBox.checked = false;
    });
  }

  // descriptions: tooltips and the details panel
  function years(a, b) {
    if (a === null && b === null) return null;
    if (a === b || b === null) return String(a);
    if (a === null) return "\u2026\u2013" + b;
    return a + "\u2013" + b;
  }
  function catLabel(dim, j) { return cats[dim][j].label; }
  function describe(kind, id) {
    var box = el("div", null, "info"), dl = el("dl");
    function row(term, value) {
      if (value === null || value === undefined || value === "") return;
      dl.appendChild(el("dt", term));
      var dd = el("dd");
      if (Array.isArray(value)) {
        if (!value.length) return;
        var ul = el("ul");
        value.forEach(function (v) { ul.appendChild(el("li", v)); });
        dd.appendChild(ul);
      } else {
        dd.textContent = String(value);
      }
      dl.appendChild(dd);
    }
    if (kind === "node") {
      var n = nodes[id], names = n[N.NAMES] || {};
      box.appendChild(el("h3", n[N.LABEL]));
      row("kind", catLabel("kind", n[N.KIND]));
      row("country", catLabel("country", n[N.COUNTRY]));
      row("city", n[N.CITY]);
      Object.keys(names).forEach(function (lang) { row("name (" + lang + ")", names[lang]); });
      row("IRI", n[N.IRI]);
      row("sources", n[N.SOURCES]);
    } else {
      var e = edges[id];
      box.appendChild(el("h3", nodes[e[E.FROM]][N.LABEL] + (data.directed ? " \u2192 " : " \u2014 ") +
                               nodes[e[E.TO]][N.LABEL]));
      row("kinds", e[E.KINDS].map(function (j) { return catLabel("edgeKind", j); }).join(", "));
      row("years", years(e[E.FIRST], e[E.LAST]));
      row("weight", e[E.WEIGHT]);
      row("label", e[E.LABEL]);
      row("sources", e[E.SOURCES]);
    }
    box.appendChild(dl);
    return box;
  }
  var tooltip = $("tooltip"), container = $("network");
  function showTip(kind, id, pointer) {
    tooltip.replaceChildren(describe(kind, id));
    tooltip.style.display = "block";
    var r = container.getBoundingClientRect();
    var x = r.left + pointer.x + 14, y = r.top + pointer.y + 14;
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    if (x + w > window.innerWidth) x = Math.max(0, r.left + pointer.x - w - 14);
    if (y + h > window.innerHeight) y = Math.max(0, r.top + pointer.y - h - 14);
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }
  function hideTip() { tooltip.style.display = "none"; }
  network.on("hoverNode", function (p) { showTip("node", p.node, p.pointer.DOM); });
  network.on("hoverEdge", function (p) { showTip("edge", p.edge, p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);
  function showDetails(kind, id) {
    var details = $("details");
    if (kind === null) { details.replaceChildren(); return; }
    details.replaceChildren(describe(kind, id));
  }
  network.on("click", function (p) {
    if (p.nodes.length) showDetails("node", p.nodes[0]);
    else if (p.edges.length) showDetails("edge", p.edges[0]);
    else showDetails(null);
  });

  // search, by the institution resolver's rules (coopgraph.resolve.search_index wrote the tables): an
  // acronym or id exactly; a name word for word, each word through every form of it (Russian inflection,
  // case, punctuation and Latin diacritics aside), the last word as the start of one (type-ahead);
  // else a substring of any name. Ranks: 0 exact, 1 from the start of a name or an acronym, 2 inside a
  // name, 3 substring.
  var S = data.search, WORD = /[\p{L}\p{N}]+/gu, CYRILLIC = /[\u0400-\u04ff]/, index = null;
  function norm(s) { return String(s).normalize("NFKC").toLocaleLowerCase(); }
  function words(s) {
    return String(s).normalize("NFKC").toLowerCase().replace(/\u0451/g, "\u0435").match(WORD) || [];
  }
  function searchIndex() {
    if (index) return index;
    var formsOf = new Map(), spellingsOf = new Map(), prepared = new Map();
    Object.keys(S.forms).forEach(function (form) {  // form -> spellings: invert it
      spellingsOf.set(form, S.forms[form]);
      S.forms[form].forEach(function (spelling) {
        if (!formsOf.has(spelling)) formsOf.set(spelling, [spelling]);
        formsOf.get(spelling).push(form);
      });
    });
    function forms(w) {  // the forms the resolver compares a word by
      if (formsOf.has(w)) return formsOf.get(w);
      if (!CYRILLIC.test(w)) w = w.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
      return formsOf.get(w) || [w];
    }
    function nameWord(t) {  // a word of a name: its forms, and every spelling that has one (for type-ahead)
      var w = prepared.get(t);
      if (!w) {
        var f = forms(t), all = f.slice();
        f.forEach(function (form) { Array.prototype.push.apply(all, spellingsOf.get(form) || []); });
        w = {forms: f, spellings: all};
        prepared.set(t, w);
      }
      return w;
    }
    index = {forms: forms, entries: new Array(nodes.length)};
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i], preferred = n[N.NAMES] || {}, entry = S.entries[i], texts = [n[N.LABEL]];
      Object.keys(preferred).forEach(function (lang) { texts.push(preferred[lang]); });
      var names = entry[0].map(function (name) {  // the text alone: its words as typed are its forms
        return typeof name === "string" ? {text: name, words: words(name).map(nameWord)}
                                        : {text: name[0], words: name[1].split(" ").map(nameWord)};
      });
      var keys = entry[1].map(function (key) {  // the text alone: its words as typed, joined, are its key
        return typeof key === "string" ? [words(key).join(""), key] : key;
      });
      names.forEach(function (name) { texts.push(name.text); });
      keys.forEach(function (key) { texts.push(key[1]); });
      texts.push(n[N.IRI]);
      index.entries[i] = {names: names, keys: keys, texts: texts.map(function (t) { return [norm(t), t]; })};
    }
    return index;
  }
  function meets(a, b) {
    for (var i = 0; i < a.length; i++) if (b.indexOf(a[i]) >= 0) return true;
    return false;
  }
  function begins(a, spellings) {
    for (var i = 0; i < spellings.length; i++) {
      for (var j = 0; j < a.length; j++) if (spellings[i].lastIndexOf(a[j], 0) === 0) return true;
    }
    return false;
  }
  function nameRank(typed, name) {  // 0: the whole name, 1: its first words, 2: words inside it, 4: none
    var k = typed.length, ws = name.words;
    for (var start = 0; start + k <= ws.length; start++) {
      var exact = true, j;
      for (j = 0; j < k; j++) {
        if (meets(typed[j], ws[start + j].forms)) continue;
        if (j === k - 1 && begins(typed[j], ws[start + j].spellings)) { exact = false; continue; }
        break;
      }
      if (j === k) return start > 0 ? 2 : k === ws.length && exact ? 0 : 1;
    }
    return 4;
  }
  function keyRank(typed, key) {  // 0: the acronym or id itself, 1: its beginning, 4: neither
    if (typed.indexOf(key) >= 0) return 0;
    for (var i = 0; i < typed.length; i++) if (typed[i] && key.lastIndexOf(typed[i], 0) === 0) return 1;
    return 4;
  }
  function search(query, limit) {
    var text = norm(query.trim()), typedWords = words(query), found = [[], [], [], []];
    if (!text) return [];
    var idx = searchIndex(), key = typedWords.join(""), keys = [key];
    var typed = typedWords.map(idx.forms);
    S.idPrefixes.forEach(function (p) {
      if (key.length > p.length && key.lastIndexOf(p, 0) === 0) keys.push(key.slice(p.length));
    });
    for (var i = 0; i < idx.entries.length; i++) {
      var entry = idx.entries[i], best = 4, name = null, j, r;
      for (j = 0; key && j < entry.keys.length && best > 0; j++) {
        r = keyRank(keys, entry.keys[j][0]);
        if (r < best) { best = r; name = entry.keys[j][1]; }
      }
      for (j = 0; typed.length && j < entry.names.length && best > 0; j++) {
        r = nameRank(typed, entry.names[j]);
        if (r < best) { best = r; name = entry.names[j].text; }
      }
      for (j = 0; best > 3 && j < entry.texts.length; j++) {
        if (entry.texts[j][0].indexOf(text) >= 0) { best = 3; name = entry.texts[j][1]; }
      }
      if (best < 4) found[best].push({node: i, name: name, rank: best});
    }
    return found[0].concat(found[1], found[2], found[3]).slice(0, limit || 50);
  }
  var results = $("results"), lastResults = [];
  function showResults(query) {
    lastResults = search(query, 50);
    results.replaceChildren();
    lastResults.forEach(function (r) {
      var n = nodes[r.node], li = el("li"), b = el("button");
      b.type = "button";
      b.appendChild(el("span", n[N.LABEL], "label"));
      if (r.name !== n[N.LABEL]) b.appendChild(el("span", " \u2014 " + r.name, "also"));
      var where = [catLabel("kind", n[N.KIND]), catLabel("country", n[N.COUNTRY])].join(", ");
      b.appendChild(el("span", " (" + where + ")", "muted"));
      b.addEventListener("click", function () { focusNode(r.node); });
      li.appendChild(b);
      results.appendChild(li);
    });
    if (query.trim() && !lastResults.length) results.appendChild(el("li", "no node has this name", "muted"));
  }
  var timer = null, searchBox = $("search");
  searchBox.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { showResults(searchBox.value); }, big ? 200 : 0);
  });
  searchBox.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") return;
    ev.preventDefault();
    clearTimeout(timer);
    showResults(searchBox.value);
    if (lastResults.length) focusNode(lastResults[0].node);
  });
  function focusNode(i) {
    var n = nodes[i];
    if (!nodeOn[i]) {  // make a filtered-out node visible again
      on.kind[n[N.KIND]] = true;
      on.country[n[N.COUNTRY]] = true;
      applyFilters();
      buildLegend();
    }
    network.selectNodes([i]);
    network.focus(i, {scale: Math.max(network.getScale(), 1.0), animation: big ? false : {duration: 300}});
    showDetails("node", i);
  }

  // legend and filters
  function buildLegend() {
    var legend = $("legend");
    legend.replaceChildren();
    function section(title, dim, swatch) {
      var h = el("h2", title), all = el("button", "all"), none = el("button", "none");
      all.type = none.type = "button";
      function setAll(value) {
        on[dim] = on[dim].map(function () { return value; });
        applyFilters();
        buildLegend();
      }
      all.addEventListener("click", function () { setAll(true); });
      none.addEventListener("click", function () { setAll(false); });
      h.appendChild(all); h.appendChild(none);
      legend.appendChild(h);
      var list = el("div");
      list.setAttribute("data-legend", dim);
      cats[dim].map(function (c, j) { return j; })
        .sort(function (a, b) { return cats[dim][a].order - cats[dim][b].order; })
        .forEach(function (j) {
          var c = cats[dim][j], label = el("label"), box = el("input");
          box.type = "checkbox";
          box.checked = on[dim][j];
          box.addEventListener("change", function () { on[dim][j] = box.checked; applyFilters(); });
          label.appendChild(box);
          if (swatch) {
            var s = el("span", null, "swatch" + (dim === "edgeKind" ? " edge" : ""));
            s.style.background = c.color;
            label.appendChild(s);
          }
          label.appendChild(el("span", c.label, "name"));
          label.appendChild(el("span", " " + c.count, "muted"));
          label.title = c.label;
          list.appendChild(label);
        });
      legend.appendChild(list);
    }
    var order = colorBy === "kind" ? ["kind", "country"] : ["country", "kind"];
    order.forEach(function (dim) {
      section(dim === "kind" ? "Kinds" : "Countries", dim, dim === colorBy);
    });
    section("Edge kinds", "edgeKind", true);
    if (edges.some(function (e) { return e[E.KINDS].length > 1; })) {
      var s = el("span", null, "swatch edge"), label = el("label");
      s.style.background = data.severalKindsColor;
      label.appendChild(s);
      label.appendChild(el("span", "several kinds", "muted"));
      legend.appendChild(label);
    }
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[name=colorby]"), function (radio) {
    radio.checked = radio.value === colorBy;
    radio.addEventListener("change", function () {
      if (!radio.checked) return;
      colorBy = radio.value;
      var changes = new Array(nodes.length);
      for (var i = 0; i < nodes.length; i++) changes[i] = {id: i, group: groupOf(i)};
      nodeSet.update(changes);
      buildLegend();
    });
  });
  buildLegend();
  status();
  window.coopgraph = {network: network, nodes: nodeSet, edges: edgeSet, data: data,
                      search: search, focusNode: focusNode};
})();
"""
