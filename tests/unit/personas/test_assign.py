from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from shelfmind.embed.base import HashingEmbedder
from shelfmind.llm.base import ChatRequest
from shelfmind.llm.providers.fake import FakeLLM
from shelfmind.personas.assign import (
    EmbeddingAssessor,
    FactAssessor,
    LLMAssessor,
    SignatureCache,
    behaviour_vector,
    distance,
    evidence,
    select,
    signature,
)
from shelfmind.personas.catalog import PersonaCatalog, load_persona_catalog
from shelfmind.personas.facts import FactBook
from shelfmind.personas.service import UserService
from shelfmind.personas.store import UserStore

BREAKFAST = ["p17", "p18", "p27", "p28", "p19", "p17", "p18"] * 4
PARTY = ["p12", "p13", "p23", "p7", "p12", "p6"]


def test_persona_catalog_has_the_seed_and_grocery_personas(personas: PersonaCatalog) -> None:
    names = {p.name for p in personas.personas}
    assert {"Bargain Hunter", "Brand Loyalist", "Impulse Buyer", "Health Enthusiast", "Luxury Lover", "Tech Savvy",
            "Busy Parent", "Breakfast Lover", "Home Cook", "Vegan / Plant-Based", "Baker"} <= names
    assert all(p.description and p.question for p in personas.personas)
    assert load_persona_catalog() is load_persona_catalog()


def test_fact_assessor_with_evidence(book: FactBook, personas: PersonaCatalog) -> None:
    history = BREAKFAST[:7]
    weights = FactAssessor(book, personas).assess(history)
    assert max(weights, key=weights.__getitem__) == "breakfast_lover"
    assert abs(sum(weights.values()) - 1) < 0.01 and len(weights) <= 3
    ev = evidence(book, personas, history, weights)
    assert ev[0].id == "breakfast_lover" and any("Granola" in e or "Oatmeal" in e for e in ev[0].evidence)


def test_select_keeps_close_personas_only() -> None:
    assert select({"a": 0.9, "b": 0.8, "c": 0.1}, floor=0.2) == {"a": 0.529, "b": 0.471}
    assert select({"a": 0.1}, floor=0.2) == {}


def test_signature_is_stable_for_near_identical_histories(book: FactBook, personas: PersonaCatalog) -> None:
    sig = signature(book, personas, BREAKFAST)
    assert signature(book, personas, list(reversed(BREAKFAST))) == sig  # order does not matter
    vec = behaviour_vector(book, personas, BREAKFAST)
    near = behaviour_vector(book, personas, [*BREAKFAST, "p18"])  # one more of the same: not material
    far = behaviour_vector(book, personas, PARTY)
    assert vec and near and far
    assert distance(vec, near) <= 0.2 < distance(vec, far)
    assert signature(book, personas, ["p17", "p18"]) == "cold"


def test_signature_cache_shares_one_assessment(book: FactBook, personas: PersonaCatalog) -> None:
    inner = FactAssessor(book, personas)
    cache = SignatureCache(inner, book, personas)
    first, _sig, hit = cache.assess(BREAKFAST)
    again, _, hit2 = cache.assess([*BREAKFAST, "p18"])
    assert not hit and hit2 and again == first
    cache.assess(PARTY)
    assert (cache.assessments, cache.hits) == (2, 1)


def test_profile_is_reassessed_only_when_the_signature_changes(users: UserService) -> None:
    users.add_purchases("u", BREAKFAST)
    p1 = users.profile("u")
    before = users.assigner.assessments + users.assigner.hits
    users.add_purchases("u", ["p18"])
    users.profile("u")
    assert users.assigner.assessments + users.assigner.hits == before  # same signature: stored result
    users.add_purchases("u", PARTY * 4)
    p3 = users.profile("u")
    assert p3.signature != p1.signature and p3.personas != p1.personas


def _yes_for_breakfast(req: ChatRequest) -> str:
    question = req.messages[-1].content
    return '{"answer": "yes"}' if "Breakfast Lover" in question else '{"answer": "no"}'


def test_llm_assessor_scores_every_candidate(book: FactBook, personas: PersonaCatalog) -> None:
    llm = FakeLLM(responder=_yes_for_breakfast)
    assessor = LLMAssessor(book, personas, llm)
    weights = assessor.assess(BREAKFAST)
    assert weights == {"breakfast_lover": 1.0}
    assert len(llm.requests) == len(personas.personas)  # one yes/no per candidate, no free generation
    assert "<<<PURCHASES" in llm.requests[0].messages[1].content and "Maple Syrup" in llm.requests[0].messages[1].content
    cache = SignatureCache(assessor, book, personas)
    cache.assess(BREAKFAST)
    cache.assess([*BREAKFAST, "p17"])
    assert assessor.calls == 2  # one direct, one through the cache; the near-duplicate was a hit
    tied = SignatureCache(LLMAssessor(book, personas, FakeLLM(responder=lambda r: '{"answer": "yes"}')), book,
                          personas)
    tied.assess(BREAKFAST)
    tied.assess([*BREAKFAST, "p17"])
    assert tied.hits == 0  # a borderline (tied) result is never shared


def test_embedding_assessor_runs_with_the_hashing_embedder(book: FactBook, personas: PersonaCatalog) -> None:
    weights = EmbeddingAssessor(book, personas, HashingEmbedder(dim=256)).assess(BREAKFAST)
    assert weights and abs(sum(weights.values()) - 1) < 0.01


class _Counting:
    """An expensive-assessor double that counts its calls."""

    def __init__(self, inner: FactAssessor) -> None:
        self.inner, self.calls, self.id = inner, 0, "counting"

    def assess(self, history: Sequence[str]) -> dict[str, float]:
        self.calls += 1
        return self.inner.assess(history)


BREAKFAST_MIX = ["p17", "p18", "p28", "p19"] * 4  # same gate decision as BREAKFAST, far in the vector space


def test_decision_cache_shares_one_assessment_per_gate_decision(tmp_path: Path, book: FactBook,
                                                                 personas: PersonaCatalog) -> None:
    gate = FactAssessor(book, personas)
    assert set(gate.assess(BREAKFAST)) == set(gate.assess(BREAKFAST_MIX))
    vec, mix = behaviour_vector(book, personas, BREAKFAST), behaviour_vector(book, personas, BREAKFAST_MIX)
    assert vec and mix and distance(vec, mix) > 0.5  # the vector cache alone would re-assess
    plain = SignatureCache(_Counting(gate), book, personas)
    plain.assess(BREAKFAST)
    plain.assess(BREAKFAST_MIX)
    assert plain.hits == 0
    expensive = _Counting(gate)
    store = UserStore(tmp_path / "users.sqlite")
    cache = SignatureCache(expensive, book, personas, store, gate=gate, min_margin=0.02)
    first, _, hit1 = cache.assess(BREAKFAST)
    second, _, hit2 = cache.assess(BREAKFAST_MIX)
    party, _, hit3 = cache.assess(PARTY)
    assert (hit1, hit2, hit3) == (False, True, False) and second == first and party != first
    assert expensive.calls == 2
    # persisted: a fresh cache over the same store serves the decision without a call
    again = SignatureCache(_Counting(gate), book, personas, store, gate=gate, min_margin=0.02)
    assert again.assess(BREAKFAST_MIX)[2] and again.assessments == 0
    assert again.lookup(mix) is None  # decision keys are not mistaken for vector anchors


def test_decision_cache_falls_back_below_the_gate_margin(book: FactBook, personas: PersonaCatalog) -> None:
    gate = FactAssessor(book, personas)
    _, m = gate.assess_margin(BREAKFAST_MIX)
    cache = SignatureCache(_Counting(gate), book, personas, gate=gate, min_margin=m + 0.01)
    assert cache.decision_key(BREAKFAST_MIX) is None
    cache.assess(BREAKFAST)
    cache.assess(BREAKFAST_MIX)
    assert cache.hits == 0 and cache.assessments == 2
