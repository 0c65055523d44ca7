"""News text → draft source file (YAML) for human review: the `coopgraph extract` stage."""
