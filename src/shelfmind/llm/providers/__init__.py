"""Concrete providers. Domain code never imports these: it receives an LLM."""
