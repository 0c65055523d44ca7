"""The names each command offers as choices (views, formats), in a module that imports nothing.

The command line reads them to build its parser without importing the stages that implement them
(rdflib, networkx, matplotlib): ``coopgraph --help`` starts in a fraction of a second. Each stage
takes its own names from here.
"""

from __future__ import annotations

__all__ = ["VIEWS", "NETWORK_FORMATS", "RDF_FORMATS", "RESULT_FORMATS", "TIMELINE_FORMATS"]

#: The network views: the institution network, or every entity.
VIEWS = ("institutions", "full")
#: The files a network view is exported as (:mod:`coopgraph.network`).
NETWORK_FORMATS = ("graphml", "gexf", "csv")
#: The RDF formats of the dumps (:mod:`coopgraph.export`).
RDF_FORMATS = ("turtle", "trig", "nt", "nq", "jsonld", "xml")
#: The formats of a query's answer (:mod:`coopgraph.queries`).
RESULT_FORMATS = ("table", "json", "xml", "csv", "tsv", "turtle", "jsonld")
#: The picture formats of the timeline (:mod:`coopgraph.timeline`).
TIMELINE_FORMATS = ("png", "svg")
