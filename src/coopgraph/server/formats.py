"""Result formats the endpoint speaks and HTTP content negotiation between them.

SELECT and ASK answer in the SPARQL 1.1 results formats (JSON, XML, CSV, TSV); CONSTRUCT and
DESCRIBE in RDF (Turtle, N-Triples, JSON-LD, RDF/XML). A browser that asks for HTML first gets a
page: a table, or the Turtle. A client chooses with the ``Accept`` header,
or with a ``format`` parameter (``json``, ``csv``, ``turtle``… or a media type), as Fuseki and
Virtuoso accept it and SPARQLWrapper sends it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Format", "TABLE_FORMATS", "GRAPH_FORMATS", "negotiate", "parse_accept", "NotAcceptable"]


@dataclass(frozen=True)
class Format:
    """A format: its short name, its media type, and other media types that mean it."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The Content-Type header to send (text types say their charset)."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


#: SELECT and ASK results, in the order preferred when a client accepts several equally.
TABLE_FORMATS = (
    Format("json", "application/sparql-results+json", ("application/json",)),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml")),
    Format("csv", "text/csv"),
    Format("tsv", "text/tab-separated-values"),
    Format("html", "text/html", ("application/xhtml+xml",)),  # a table, for a person's browser
)
#: CONSTRUCT and DESCRIBE results (and the service description).
GRAPH_FORMATS = (
    Format("turtle", "text/turtle", ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3")),
    Format("ntriples", "application/n-triples", ("text/plain",)),
    Format("jsonld", "application/ld+json", ("application/json", "application/x-json+ld")),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml")),
    Format("html", "text/html", ("application/xhtml+xml",)),  # Turtle in a page, for a person's browser
)


class NotAcceptable(Exception):
    """No format offered for this kind of result fits the request (HTTP 406)."""


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their quality, as given (``[]`` when none).

    >>> parse_accept("text/turtle;q=0.5, */*;q=0.1")
    [('text/turtle', 0.5), ('*/*', 0.1)]
    """
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for field in fields[1:]:
            key, _, value = field.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media if "/" in media else media + "/*", quality))
    return ranges


def _quality(fmt: Format, ranges: list[tuple[str, float]]) -> tuple[int, float]:
    """(specificity, quality) of the most specific range that matches the format; (-1, 0) for none."""
    best = (-1, 0.0)
    for media in (fmt.media_type, *fmt.aliases):
        kind = media.split("/")[0]
        for media_range, quality in ranges:
            if media_range == media:
                specificity = 3 if media == fmt.media_type else 2
            elif media != fmt.media_type:  # wildcards match a format's own media type, not its aliases
                continue
            elif media_range == f"{kind}/*":
                specificity = 1
            elif media_range == "*/*":
                specificity = 0
            else:
                continue
            best = max(best, (specificity, quality))
    return best


def negotiate(accept: str | None, kind: str, *, requested: list[str] | tuple[str, ...] = ()) -> Format:
    """The format to answer a ``kind`` of result in ("table" for SELECT/ASK, "graph" otherwise).

    ``requested`` are the values of a ``format`` parameter: the first that names a format of this
    kind (by short name or media type) wins over the Accept header; others are ignored, since
    clients such as SPARQLWrapper send names meant for other servers too.

    Raises
    ------
    NotAcceptable
        when the Accept header rules out every format of this kind

    Examples
    --------
    >>> negotiate("application/sparql-results+xml, */*;q=0.1", "table").name
    'xml'
    >>> negotiate("application/json", "graph").name
    'jsonld'
    >>> negotiate(None, "table", requested=["csv"]).name
    'csv'
    """
    offered = TABLE_FORMATS if kind == "table" else GRAPH_FORMATS
    for value in requested:
        wanted = value.strip().lower().split(";")[0].strip()
        for fmt in offered:
            if wanted in (fmt.name, fmt.media_type, *fmt.aliases) or (wanted == "n-triples" and fmt.name == "ntriples"):
                return fmt
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    scored = [(_quality(fmt, ranges), -i, fmt) for i, fmt in enumerate(offered)]
    acceptable = [(q, order, fmt) for (specificity, q), order, fmt in scored if specificity >= 0 and q > 0]
    if not acceptable:
        names = ", ".join(fmt.media_type for fmt in offered)
        what = "a SELECT or ASK query answers" if kind == "table" else "a CONSTRUCT or DESCRIBE query answers"
        raise NotAcceptable(f"Accept: {accept} fits none of the formats {what} in — ask for one of {names}")
    return max(acceptable, key=lambda item: (item[0], item[1]))[2]
