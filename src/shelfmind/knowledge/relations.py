"""Product relations: complements, substitutes, pairings (LLM-proposed, grounded, verified) and
occasion bundles (derived from intent themes, no LLM)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from shelfmind.knowledge.facts import product_facts
from shelfmind.knowledge.grounding import Grounder
from shelfmind.knowledge.models import ProposedProduct, RelationPlan
from shelfmind.knowledge.planner import provenance
from shelfmind.knowledge.verifier import Verifier
from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import load_prompt
from shelfmind.llm.structured import complete
from shelfmind.schemas import AssertionStatus, IntentLink, Product, Relation, RelationKind, Theme

_NEEDS = {
    RelationKind.COMPLEMENT: "something to use together with {name}",
    RelationKind.SUBSTITUTE: "a replacement for {name} when it is out of stock",
    RelationKind.PAIRING: "a drink or food that pairs well with {name}",
}


class RelationMiner:
    def __init__(self, llm: LLM, grounder: Grounder, verifier: Verifier, *, products_per_kind: int = 1) -> None:
        self.llm = llm
        self.grounder = grounder
        self.verifier = verifier
        self.products_per_kind = products_per_kind
        self.prompt = load_prompt("kb_relations")

    def mine(self, product: Product) -> list[Relation]:
        out = complete(self.llm, self.prompt, RelationPlan, facts=product_facts(product), max_tokens=300)
        prov = provenance(out)
        plan = out.value
        groups: list[tuple[RelationKind, list[ProposedProduct]]] = [
            (RelationKind.COMPLEMENT, plan.complements),
            (RelationKind.SUBSTITUTE, plan.substitutes),
            (RelationKind.PAIRING, plan.pairings),
        ]
        relations: dict[tuple[RelationKind, str], Relation] = {}
        for kind, items in groups:
            for item in items:
                for g in self.grounder.ground(item.product_type, item.search_query, k=self.products_per_kind,
                                              exclude=[product.id]):
                    need = _NEEDS[kind].format(name=product.name)
                    verdict = self.verifier.verify(g.product, need, item.reason, item.product_type)
                    relations.setdefault((kind, g.product.id), Relation(
                        kind=kind, src_id=product.id, dst_id=g.product.id, explanation=item.reason,
                        score=verdict.score, status=verdict.status, provenance=prov,
                    ))
        return list(relations.values())


def occasion_relations(intent: str, themes: Sequence[Theme], links: Sequence[IntentLink]) -> list[Relation]:
    """Products that lead different themes of one occasion form a bundle (both directions).
    Only products whose intent links are both served (approved / auto-approved) are bundled."""
    status = {x.product_id: x.status for x in links}
    served = {AssertionStatus.AUTO_APPROVED, AssertionStatus.APPROVED}
    heads = [(t.name, t.product_ids[0]) for t in themes if t.product_ids and t.source != "co_engagement"]
    out: list[Relation] = []
    for (ta, a), (tb, b) in combinations(heads, 2):
        if status.get(a) not in served or status.get(b) not in served:
            continue
        for src, dst, tdst in ((a, b, tb), (b, a, ta)):
            out.append(Relation(
                kind=RelationKind.OCCASION, src_id=src, dst_id=dst, score=0.8,
                explanation=f"Part of a {intent} bundle ({tdst})", status=AssertionStatus.AUTO_APPROVED,
            ))
    return out
