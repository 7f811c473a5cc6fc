"""Hybrid product search: index backends, query understanding, expansion, fusion, ranking."""
