from __future__ import annotations

import copy
from pathlib import Path

import pytest

from shelfmind.errors import DataError, ProviderError
from shelfmind.knowledge.base import KnowledgeLookup
from shelfmind.knowledge.kb import KnowledgeBase
from shelfmind.knowledge.store import KnowledgeStore
from shelfmind.review.queue import Decision, ReviewKind
from shelfmind.schemas import AssertionStatus, RelationKind


def test_build_links_themes_relations_and_lookup(kb: KnowledgeBase) -> None:
    assert isinstance(kb, KnowledgeLookup) and isinstance(kb.store, KnowledgeLookup)
    builder = kb.builder()
    assert builder.add_intents(["insomnia", "Movie night", "movie  night"]) == 2
    report = builder.build(progress=False)
    assert report.intents_done == 2 and report.ungrounded >= 1  # "unicorn dust" is not in the catalog
    links = kb.intent_products("insomnia")
    assert links and all(x.product_id.startswith("p") and x.evidence for x in links)
    assert all(x.status in (AssertionStatus.AUTO_APPROVED, AssertionStatus.APPROVED) for x in links)
    assert all(x.provenance and x.provenance.prompt in ("kb_intent_plan@3", "kb_more_themes@1") for x in links)
    themes = kb.themes_for("movie night")
    assert len(themes) >= 2 and all(len(t.product_ids) >= 3 for t in themes)
    assert len({pid for t in themes for pid in t.product_ids}) == sum(len(t.product_ids) for t in themes)  # diverse
    assert kb.themes_for("movie nights tonight")[0].name == themes[0].name  # nearest known intent
    assert kb.themes_for("tax returns") == []
    pid = links[0].product_id
    assert "insomnia" in kb.intents_of_product(pid)
    assert "Good for: insomnia" in kb.product_text_addendum(pid)
    occasion = [r for r in kb.store.all_relations() if r.kind == RelationKind.OCCASION]
    assert occasion and kb.relations(occasion[0].src_id, [RelationKind.OCCASION])
    manifest = kb.store.manifest()
    assert manifest["build_version"] == 1 and manifest["model"] == "fake:scripted"
    assert manifest["prompts"]["kb_judge_fit"] == "1"


def test_resume_skips_done_intents_and_retries_failed(kb: KnowledgeBase) -> None:
    builder = kb.builder()
    builder.add_intents(["insomnia", "movie night"])
    assert builder.build(limit=1, progress=False).intents_done == 1
    calls = len(kb.llm.requests)  # type: ignore[attr-defined]
    report = builder.build(progress=False)
    assert report.intents_done == 1 and report.intents_skipped == 1
    plans = [r for r in kb.llm.requests[calls:] if r.meta.prompt_name == "kb_intent_plan"]  # type: ignore[attr-defined]
    assert len(plans) == 1 and "movie night" in plans[0].messages[1].content


def test_a_failing_intent_is_recorded_not_fatal(kb: KnowledgeBase, responder) -> None:
    def boom(request):
        if "insomnia" in request.messages[1].content:
            raise ProviderError("model down")
        return responder()(request)

    kb.llm._responder = boom  # type: ignore[attr-defined]
    builder = kb.builder()
    builder.add_intents(["insomnia", "movie night"])
    report = builder.build(progress=False)
    assert report.intents_failed == 1 and report.intents_done == 1
    assert kb.store.intent("insomnia").state == "failed"
    kb.llm._responder = responder()  # type: ignore[attr-defined]
    assert builder.build(progress=False).intents_done == 1
    assert kb.store.intent("insomnia").state == "done"


def test_low_scores_go_to_review_and_decisions_flow_back(kb: KnowledgeBase, responder) -> None:
    def unsure(request):
        answer = copy.deepcopy(responder()(request))
        if request.meta.prompt_name in ("kb_intent_plan", "kb_more_themes"):  # claims the facts do not state
            for theme in answer["themes"]:
                theme["reason"] = "An organic " + theme["reason"]
        return answer

    kb.llm._responder = unsure  # type: ignore[attr-defined]
    builder = kb.builder()
    builder.add_intents(["movie night"])
    builder.build(progress=False)
    assert kb.intent_products("movie night") == []  # nothing served before review
    pending = kb.review.pending()
    assert pending and all(i.ref.startswith("kb/link/") for i in pending)
    item = pending[0]
    kb.review.queue.decide(item.id, Decision.APPROVE)  # type: ignore[union-attr]
    served = kb.intent_products("movie night")
    assert [x.product_id for x in served] == [item.value["product_id"]]
    assert served[0].status == AssertionStatus.APPROVED
    kb.review.queue.decide(pending[1].id, Decision.EDIT, value={"explanation": "Fixed."})  # type: ignore[union-attr]
    assert any(x.explanation == "Fixed." for x in kb.intent_products("movie night"))
    assert kb.review.queue.counts()[ReviewKind.ASSERTION.value]["approved"] == 1  # type: ignore[union-attr]


def test_export_import_round_trip(kb: KnowledgeBase, tmp_path: Path) -> None:
    builder = kb.builder()
    builder.add_intents(["insomnia", "movie night"])
    builder.build(progress=False)
    kb.recipe_from_interest("salmon")
    path = tmp_path / "kb.jsonl"
    n = kb.export_jsonl(path)
    other = KnowledgeStore(tmp_path / "copy.sqlite")
    assert other.import_jsonl(path) == n - 1  # the manifest line is merged, not counted
    assert other.counts() == kb.store.counts()
    assert other.manifest() == kb.store.manifest()
    assert [t.model_dump() for t in other.themes_for("insomnia")] == [t.model_dump() for t in kb.themes_for("insomnia")]
    assert other.intent_products("movie night") == kb.intent_products("movie night")
    other.import_jsonl(path)  # idempotent
    assert other.counts() == kb.store.counts()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"table": "links", "row": {"intent": "x"}}\nnot json\n')
    with pytest.raises(DataError):
        other.import_jsonl(bad)
    assert other.counts() == kb.store.counts()  # all or nothing


def test_co_engagement_shapes_themes(kb: KnowledgeBase, tmp_path: Path) -> None:
    from shelfmind.knowledge.planner import EngagementLog

    log = tmp_path / "engagement.jsonl"
    log.write_text('{"query": "Movie night", "product_ids": ["p5", "p7", "p27"]}\n'
                   '{"query": "movie night", "product_ids": ["p26", "p5", "ghost"]}\n')
    kb.engagement = EngagementLog.load(log)
    builder = kb.builder()
    builder.add_intents(["movie night"])
    builder.build(progress=False)
    themes = kb.themes_for("movie night")
    assert themes[0].source == "llm+co_engagement"
    popular = next(t for t in themes if t.source == "co_engagement")
    assert popular.product_ids[0] == "p5" and "ghost" not in popular.product_ids
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"query": "x"}\n')
    with pytest.raises(DataError):
        EngagementLog.load(bad)
