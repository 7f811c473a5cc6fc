from __future__ import annotations

from shelfmind.knowledge.facts import ClaimVerdict, check_claims, normalise, product_facts
from shelfmind.knowledge.grounding import DictProducts, Grounder
from shelfmind.knowledge.verifier import Verifier
from shelfmind.llm.providers.fake import FakeLLM
from shelfmind.schemas import AssertionStatus, Product
from shelfmind.search.base import SearchHit
from shelfmind.search.simple import KeywordSearcher


class LyingSearcher:
    """Returns an id that is not in the catalog first, then a real one."""

    def search(self, query: str, *, k: int = 10, filters=()) -> list[SearchHit]:
        return [SearchHit(id="ghost-1", score=9.0, name="Herbal Tea Deluxe"), SearchHit(id="p1", score=1.0)]


def by_id(products: list[Product]) -> dict[str, Product]:
    return {p.id: p for p in products}


def test_grounding_drops_products_that_do_not_exist(products: list[Product]) -> None:
    g = Grounder(LyingSearcher(), DictProducts(products))
    got = [x.product.id for x in g.ground("herbal tea", "herbal tea", k=3)]
    assert got == ["p1"]


def test_grounding_requires_the_kind_to_match_the_product(products: list[Product]) -> None:
    g = Grounder(KeywordSearcher(products), DictProducts(products))
    teas = [x.product.id for x in g.ground("herbal tea", k=5)]
    assert set(teas) >= {"p1", "p2"} and "p4" not in teas
    assert g.ground("unicorn dust", k=3) == []
    # "milk" found only among a cheese's ingredients is not enough to ground "warm milk"
    assert [x.product.id for x in g.ground("warm milk", "milk", k=3)] == ["p3"]
    assert all(x.evidence.startswith("name: ") for x in g.ground("popcorn", k=2))


def test_claim_rules(products: list[Product]) -> None:
    p = by_id(products)
    assert check_claims("a gluten-free pasta", p["p11"])[0].verdict == ClaimVerdict.CONTRADICTED
    assert check_claims("a gluten-free pasta", p["p12"])[0].verdict == ClaimVerdict.SUPPORTED
    assert check_claims("caffeine free", p["p4"])[0].verdict == ClaimVerdict.CONTRADICTED
    assert check_claims("rich in protein", p["p18"])[0].verdict == ClaimVerdict.SUPPORTED
    assert check_claims("high protein treat", p["p9"])[0].verdict == ClaimVerdict.UNSUPPORTED
    assert check_claims("organic pasta", p["p13"])[0].verdict == ClaimVerdict.UNSUPPORTED
    assert check_claims("tasty", p["p13"]) == []
    assert "per 100 g" in product_facts(p["p18"]) and normalise("Movie  Nights!") == "movie night"


def test_verifier_statuses(products: list[Product]) -> None:
    p = by_id(products)
    yes = FakeLLM(responder=lambda r: {"answer": "yes"})
    no = FakeLLM(responder=lambda r: {"answer": "no"})
    v = Verifier(yes)
    assert v.verify(p["p1"], "insomnia", "A calming tea before bed.", "herbal tea").status == AssertionStatus.AUTO_APPROVED
    # a claim the facts contradict is rejected whatever the judge says
    bad = v.verify(p["p11"], "gluten free", "A gluten-free pasta.", "gluten free pasta")
    assert bad.status == AssertionStatus.REJECTED and bad.reasons
    # a claim absent from the facts cannot be auto-approved
    assert v.verify(p["p13"], "dinner", "An organic sauce.", "pasta sauce").status == AssertionStatus.NEEDS_REVIEW
    assert v.verify(None, "x", "y").status == AssertionStatus.REJECTED
    assert Verifier(no).verify(p["p10"], "insomnia", "Helps you sleep.", "soda").status == AssertionStatus.REJECTED
    # rules alone never auto-approve
    assert Verifier(None).verify(p["p1"], "insomnia", "Tea.", "tea").status == AssertionStatus.NEEDS_REVIEW
    # the judge sees the facts and the claim inside delimited blocks, and is scored by log-prob yes/no
    req = yes.requests[0]
    assert "Product facts: <<<" in req.messages[1].content and req.schema_name == "yes_no" and req.logprobs
