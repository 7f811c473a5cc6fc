"""The batch build: intents -> plans -> grounded, verified links and themes -> relations.

Each intent is one checkpoint: its links and themes are written in one transaction and the intent
is marked done, so an interrupted build resumes where it stopped (and the LLM cache makes replays of
finished calls free). A failing intent is recorded and skipped, never a crash of the batch.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from tqdm import tqdm

from shelfmind.errors import ShelfmindError
from shelfmind.knowledge.facts import product_facts
from shelfmind.knowledge.grounding import Grounder
from shelfmind.knowledge.intents import records
from shelfmind.knowledge.models import BuildReport, IntentSource
from shelfmind.knowledge.planner import EngagementLog, IntentPipeline
from shelfmind.knowledge.relations import RelationMiner, occasion_relations
from shelfmind.knowledge.review import KnowledgeReview
from shelfmind.knowledge.store import KnowledgeStore, now
from shelfmind.knowledge.verifier import Verifier
from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import load_prompt
from shelfmind.schemas import AssertionStatus

PROMPTS = ("kb_intent_plan", "kb_more_themes", "kb_relations", "kb_judge_claim", "kb_judge_fit", "kb_recipe", "kb_explain", "kb_suggest_intents")


class KnowledgeBuilder:
    def __init__(
        self,
        llm: LLM,
        grounder: Grounder,
        store: KnowledgeStore,
        *,
        verifier: Verifier | None = None,
        review: KnowledgeReview | None = None,
        engagement: EngagementLog | None = None,
        products_per_kind: int = 2,
        relations_per_intent: int = 1,
        domain: str = "grocery",
        max_theme_size: int = 6,
    ) -> None:
        self.llm = llm
        self.grounder = grounder
        self.store = store
        self.verifier = verifier or Verifier(llm)
        self.review = review or KnowledgeReview(store, None)
        self.pipeline = IntentPipeline(llm, grounder, self.verifier, engagement=engagement,
                                       products_per_kind=products_per_kind, domain=domain,
                                       max_theme_size=max_theme_size)
        self.miner = RelationMiner(llm, grounder, self.verifier)
        self.relations_per_intent = relations_per_intent

    def add_intents(self, texts: Iterable[str], source: IntentSource = IntentSource.SEED) -> int:
        return self.store.add_intents(records(texts, source))

    def _start_manifest(self) -> None:
        m = self.store.manifest()
        t = self.verifier.thresholds
        self.store.update_manifest(
            build_version=int(m.get("build_version", 0)) + 1,
            model=self.llm.model_id,
            prompts={name: load_prompt(name).version for name in PROMPTS},
            settings={"products_per_kind": self.pipeline.products_per_kind,
                      "min_theme_size": self.pipeline.min_theme_size,
                      "max_theme_size": self.pipeline.max_theme_size,
                      "min_themes": self.pipeline.min_themes,
                      "domain": self.pipeline.domain.name.value,
                      "relations_per_intent": self.relations_per_intent,
                      "auto_approve": t.auto_approve, "reject": t.reject},
            started_at=now(),
        )

    def build(self, *, limit: int | None = None, progress: bool = True, retry_failed: bool = True) -> BuildReport:
        report = BuildReport()
        every = self.store.intents()
        todo = [r for r in every if r.state == "pending" or (retry_failed and r.state == "failed")]
        report.intents_skipped = len(every) - len(todo)
        if limit is not None:
            todo = todo[:limit]
        self._start_manifest()
        bar = tqdm(todo, desc="kb build", unit="intent", file=sys.stderr, disable=not progress)
        for rec in bar:
            bar.set_postfix_str(rec.text[:30])
            try:
                self._build_one(rec.key, rec.text, report)
            except ShelfmindError as exc:
                self.store.mark_intent(rec.key, "failed", error=str(exc))
                report.intents_failed += 1
                report.failures[rec.text] = str(exc)[:200]
        self.store.update_manifest(finished_at=now(), counts=self.store.counts(), statuses=self.store.status_counts())
        return report

    def _build_one(self, key: str, text: str, report: BuildReport) -> None:
        res = self.pipeline.run(text)
        self.store.save_intent_result(key, res.links, res.themes, res.kind.value)
        report.intents_done += 1
        report.proposals += res.proposals
        report.ungrounded += len(res.ungrounded)
        report.links += len(res.links)
        report.themes += len(res.themes)
        for link in res.links:
            report.statuses[link.status.value] = report.statuses.get(link.status.value, 0) + 1
            if link.status == AssertionStatus.NEEDS_REVIEW:
                self.review.enqueue_link(link)
        occasion = occasion_relations(text, res.themes, res.links)
        self.store.add_relations(occasion)
        report.relations += len(occasion)
        served = [x for x in sorted(res.links, key=lambda x: -(x.verifier_score or 0.0))
                  if x.status in (AssertionStatus.AUTO_APPROVED, AssertionStatus.APPROVED)]
        for link in served[: self.relations_per_intent]:
            report.relations += self.mine_relations(link.product_id, report=report)

    def mine_relations(self, product_id: str, *, report: BuildReport | None = None) -> int:
        product = self.grounder.products.get_many([product_id]).get(product_id)
        if product is None:
            return 0
        try:
            rels = self.miner.mine(product)
        except ShelfmindError as exc:
            if report is not None:
                report.failures[f"relations:{product_id}"] = str(exc)[:200]
            return 0
        self.store.add_relations(rels)
        targets = self.grounder.products.get_many([r.dst_id for r in rels])
        for r in rels:
            if r.status == AssertionStatus.NEEDS_REVIEW and r.dst_id in targets:
                self.review.enqueue_relation(r, product_facts(targets[r.dst_id]))
            if report is not None:
                report.statuses[r.status.value] = report.statuses.get(r.status.value, 0) + 1
        return len(rels)
