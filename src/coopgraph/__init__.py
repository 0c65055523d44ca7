"""coopgraph: a knowledge graph of academic cooperation."""

__version__ = "0.1.0"
