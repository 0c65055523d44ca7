"""SPARQL as text: where a comment, string, IRI, variable or prefixed name ends, and the text without comments.

Enough of SPARQL's lexical rules to find keywords and braces in a query without being fooled by a
``#`` in an IRI, a ``{`` in a string or a keyword in a comment (shared by the query library, the
store's rewriting of rules into updates, and the derivation's order files).
"""

from __future__ import annotations

import re

__all__ = ["NAME_CHARS", "skip", "strip_comments", "unescaped", "calls_service"]

_IRI_REF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
#: The characters of a variable's or a prefixed name's rest, after ``?`` or ``:``.
NAME_CHARS = re.compile(r"[\w\-.:%\\]*")


def skip(text: str, i: int) -> int | None:
    """If a comment, string, IRI, variable or prefixed name starts at ``i``, the index after it."""
    c = text[i]
    if c == "#":
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if c in "\"'":
        if text.startswith(c * 3, i):
            end = i + 3
            while end < len(text) and not text.startswith(c * 3, end):
                end += 2 if text[end] == "\\" else 1
            return min(end + 3, len(text))
        end = i + 1
        while end < len(text) and text[end] != c and text[end] != "\n":
            end += 2 if text[end] == "\\" else 1
        return end + 1
    if c == "<":
        match = _IRI_REF.match(text, i)
        return match.end() if match else None
    if c in "?$@:":
        return NAME_CHARS.match(text, i + 1).end()  # type: ignore[union-attr]
    return None


def strip_comments(text: str) -> str:
    """The text with its comments taken out (a ``#`` in a string or an IRI is not a comment)."""
    out, i = [], 0
    while i < len(text):
        end = skip(text, i)
        if end is None:
            out.append(text[i])
            i += 1
        else:
            if text[i] != "#":
                out.append(text[i:end])
            i = end
    return "".join(out)


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescaped(text: str) -> str:
    """The text with SPARQL's codepoint escapes (``\\u0053``) applied: they are processed before parsing."""

    def char(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except ValueError:
            return match.group(0)

    return _CODEPOINT.sub(char, text)


def calls_service(text: str) -> bool:
    """Whether a query or update holds the keyword ``SERVICE`` (a call to another endpoint), in any case and
    through codepoint escapes; the word inside a string, an IRI, a comment, a variable or a prefixed name
    does not count.

    >>> calls_service("SELECT * WHERE { SeRvIcE <http://x/sparql> { ?s ?p ?o } }")
    True
    >>> calls_service('SELECT ?service WHERE { ?service <http://x/service> "service" } # service')
    False
    """
    plain = unescaped(text)
    i = 0
    while i < len(plain):
        end = skip(plain, i)
        if end is not None:
            i = end
            continue
        if plain[i].isalpha() and (i == 0 or not (plain[i - 1].isalnum() or plain[i - 1] in "_-")):
            word = re.match(r"[A-Za-z_][\w\-]*", plain[i:])
            if word is not None:
                if word.group(0).upper() == "SERVICE" and not plain.startswith(":", i + len(word.group(0))):
                    return True
                i += len(word.group(0))
                continue
        i += 1
    return False
