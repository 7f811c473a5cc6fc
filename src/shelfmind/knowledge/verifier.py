"""The verifier: rules plus an LLM judge score every assertion's faithfulness and plausibility.

Rules (no model): the product must exist; dietary / nutrition claims in the explanation must not
contradict the catalog facts (contradiction -> rejected) and should be supported by them
(unsupported -> faithfulness capped); the proposed product type should match the product.
The judge (optional) answers two short yes/no questions, each its own prompt with the data in
delimited blocks: is the claim true given the catalog facts (kb_judge_claim), is the product a good
fit for the need (kb_judge_fit). We read P(yes) from the log-probabilities, never free text.

score = 0.5 * faithfulness + 0.5 * plausibility; >= auto_approve -> auto_approved,
< reject -> rejected, otherwise needs_review (sent to the shared review queue by the builder).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shelfmind.knowledge.facts import ClaimVerdict, check_claims, product_facts, type_overlap
from shelfmind.knowledge.models import Verdict
from shelfmind.llm.base import LLM, ChatRequest, RequestMeta
from shelfmind.llm.prompts import Prompt, load_prompt
from shelfmind.llm.scoring import yes_probability
from shelfmind.schemas import AssertionStatus, Product

YES_NO_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string", "enum": ["yes", "no"]}},
    "required": ["answer"],
}


@dataclass(frozen=True)
class Thresholds:
    """Calibrated on the labelled sample (knowledge/data/verifier_sample.jsonl) with the embedded
    1.5B judge, whose P(yes) is compressed into ~0.1-0.9: `shelfmind eval knowledge` reports a 2-fold
    cross-validated accuracy of the `decision` line next to the in-sample numbers."""

    auto_approve: float = 0.5
    reject: float = 0.2
    decision: float = 0.35  # the good/bad call for agreement with human labels (needs_review items)
    unsupported_cap: float = 0.45  # faithfulness when a claim is absent from the facts
    mismatch_factor: float = 0.6  # plausibility factor when the product type does not match the product


class Verifier:
    def __init__(self, llm: LLM | None = None, *, thresholds: Thresholds | None = None) -> None:
        self.llm = llm
        self.thresholds = thresholds or Thresholds()
        self.claim_prompt = load_prompt("kb_judge_claim")
        self.fit_prompt = load_prompt("kb_judge_fit")

    def rules(self, product: Product | None, need: str, claim: str, product_type: str = "") -> tuple[float, float, list[str]]:
        """(faithfulness, plausibility factor, reasons) from the rules alone."""
        if product is None:
            return 0.0, 0.0, ["product does not exist in the catalog"]
        reasons: list[str] = []
        faith = 1.0
        for check in check_claims(f"{product_type} {claim}", product):
            if check.verdict == ClaimVerdict.CONTRADICTED:
                faith = 0.0
                reasons.append(f"claim {check.claim!r} contradicts the catalog facts")
            elif check.verdict == ClaimVerdict.UNSUPPORTED:
                faith = min(faith, self.thresholds.unsupported_cap)
                reasons.append(f"claim {check.claim!r} is not in the catalog facts")
        plaus = 1.0
        if product_type and type_overlap(product_type, product) == 0.0:
            plaus = self.thresholds.mismatch_factor
            reasons.append(f"product does not look like a {product_type!r}")
        return faith, plaus, reasons

    def judge(self, product: Product, need: str, claim: str) -> tuple[float, float]:
        """(P(claim true), P(good fit)) from the LLM judge, or neutral 0.5s without one."""
        if self.llm is None:
            return 0.5, 0.5
        faithful = self._p_yes(self.claim_prompt, facts=product_facts(product), claim=claim[:300])
        plausible = self._p_yes(self.fit_prompt, product=product.name[:150], need=need[:200])
        return faithful, plausible

    def _p_yes(self, prompt: Prompt, **variables: str) -> float:
        """P(yes) of a yes/no question (as `llm.scoring.score_choices`), summing every casing of
        yes / no among the first answer token's top log-probs ("Yes", "yes")."""
        assert self.llm is not None
        request = ChatRequest(
            messages=prompt.render(**variables), json_schema=YES_NO_SCHEMA, schema_name="yes_no", max_tokens=8,
            temperature=0.0, logprobs=True, top_logprobs=5,
            meta=RequestMeta(task=prompt.task, prompt_name=prompt.name, prompt_version=prompt.version),
        )
        response = self.llm.chat(request)
        for tok in response.logprobs or []:
            yes = sum(math.exp(v) for k, v in tok.top.items() if k.strip().strip('"').lower() == "yes")
            no = sum(math.exp(v) for k, v in tok.top.items() if k.strip().strip('"').lower() == "no")
            if yes + no > 0:
                return yes / (yes + no)
        return yes_probability(response.logprobs, response.text)

    def verify(self, product: Product | None, need: str, claim: str, product_type: str = "") -> Verdict:
        faith_rule, plaus_factor, reasons = self.rules(product, need, claim, product_type)
        if product is None or faith_rule == 0.0:
            return Verdict(faithfulness=faith_rule, plausibility=0.0, score=0.0,
                           status=AssertionStatus.REJECTED, reasons=reasons)
        p_faith, p_plaus = self.judge(product, need, f"{product_type}: {claim}" if product_type else claim)
        faith = min(faith_rule, p_faith)
        plaus = p_plaus * plaus_factor
        score = round(0.5 * faith + 0.5 * plaus, 4)
        t = self.thresholds
        if self.llm is None:  # rules alone can reject, never auto-approve
            status = AssertionStatus.NEEDS_REVIEW
        elif score >= t.auto_approve and faith_rule == 1.0:
            status = AssertionStatus.AUTO_APPROVED
        elif score < t.reject:
            status = AssertionStatus.REJECTED
        else:
            status = AssertionStatus.NEEDS_REVIEW
        if status != AssertionStatus.AUTO_APPROVED and not reasons:
            reasons.append(f"judge: faithful {p_faith:.2f}, plausible {p_plaus:.2f}")
        return Verdict(faithfulness=round(faith, 4), plausibility=round(plaus, 4), score=score,
                       status=status, reasons=reasons)
