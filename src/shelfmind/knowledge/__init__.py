"""Knowledge base distilled from the LLM: intents -> themes -> products, relations, recipes and
explanations, each verified and traceable. Consumers read it through `knowledge.base.KnowledgeLookup`;
`knowledge.factory.build_knowledge(rt)` wires the implementation."""
