"""Shopper endpoints: all read-only (recommend and recipe are POSTs only because they take a body)."""

from __future__ import annotations

import inspect
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status

from shelfmind.errors import NotFound
from shelfmind.schemas import RelationKind
from shelfmind.search.base import Filter, FilterOp
from shelfmind.service.components import Service
from shelfmind.service.deps import guard, service
from shelfmind.service.models import (
    MAX_QUERY_CHARS,
    ErrorResponse,
    IntentLinkOut,
    KnowledgeResponse,
    ProductDetail,
    RecipeOut,
    RecipeRequest,
    RecommendRequest,
    RecommendResponse,
    SearchResponse,
    ThemeOut,
)
from shelfmind.service.recipes import call_recipe_api, find_recipe_api, ingredient_ids, recipe_out
from shelfmind.service.security import Guard

router = APIRouter(prefix="/api", tags=["shop"], responses={
    422: {"model": ErrorResponse, "description": "invalid input"},
    503: {"model": ErrorResponse, "description": "a component is not built yet"},
})
Svc = Annotated[Service, Depends(service)]
Grd = Annotated[Guard, Depends(guard)]
Q = Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="what the shopper typed")]
ProductId = Annotated[str, Path(min_length=1, max_length=100)]


def _query(q: str) -> str:
    q = " ".join(q.split())
    if not q:
        raise HTTPException(422, "the query must not be blank")
    return q


def _filters(raw: list[str]) -> list[Filter]:
    out = []
    for item in raw:
        parts = item.split(":", 2)
        if len(parts) != 3 or not parts[0] or parts[1] not in {o.value for o in FilterOp}:
            raise HTTPException(422,
                                f"bad filter {item[:60]!r}: use field:op:value with op in "
                                + ", ".join(o.value for o in FilterOp))
        field, op, value = parts
        out.append(Filter(field=field, op=FilterOp(op), value=value.split("|") if op == "in" else value))
    return out


@router.get("/search", response_model=SearchResponse, summary="Hybrid product search")
async def search(
    svc: Svc,
    q: Q,
    k: Annotated[int, Query(ge=1, le=100)] = 20,
    filter: Annotated[list[str], Query(max_length=10, description="field:op:value, e.g. price:le:5")] = [],  # noqa: B006
) -> Response:
    query, filters = _query(q), _filters(filter)

    def run() -> SearchResponse:
        searcher = svc.component("searcher")
        hits = searcher.search(query, k=k, filters=filters)
        products = svc.cards([h.id for h in hits], scores={h.id: h.score for h in hits})
        themes = []
        knowledge = svc.optional("knowledge")
        if knowledge is not None:
            for t in knowledge.themes_for(query, limit=4):
                cards = svc.cards(t.product_ids[:8])
                if cards:
                    themes.append(ThemeOut(name=t.name, explanation=t.explanation, products=cards))
        return SearchResponse(query=query, products=products, themes=themes)

    return await svc.cached(("search", query, k, tuple(filter)), run, "search")


async def _recommend(svc: Service, req: RecommendRequest) -> Response:
    context = dict(sorted(req.context.items()))

    def run() -> RecommendResponse:
        if req.user_id is not None:
            from shelfmind.service.users import UserDirectory

            UserDirectory(svc.component("users")).get(req.user_id)  # 404 for an unknown shopper
        recommender = svc.component("recommender")
        extra = {"k": req.k} if "k" in inspect.signature(recommender.recommend).parameters else {}
        rec = recommender.recommend(req.query, req.user_id, context, **extra)
        return svc.recommendation(rec, k=req.k)

    key = ("recommend", req.query, req.user_id, tuple(context.items()), req.k)
    return await svc.cached(key, run, "recommend")


@router.post("/recommend", response_model=RecommendResponse, summary="Personalised, themed results",
             responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
async def recommend(svc: Svc, grd: Grd, request: Request, req: RecommendRequest) -> Response:
    """The core mapping (query, user, context) -> products with explanations, grouped in themes.
    With a user_id it needs that shopper's session (the answer reveals their constraints)."""
    if req.user_id is not None:
        grd.require_owner(request, req.user_id)
    return await _recommend(svc, req)


@router.get("/recommend", response_model=RecommendResponse, summary="Personalised results (GET form)")
async def recommend_get(
    svc: Svc,
    q: Q,
    user: Annotated[str | None, Query(max_length=100)] = None,
    occasion: Annotated[str | None, Query(max_length=100)] = None,
    k: Annotated[int, Query(ge=1, le=100)] = 24,
    *, grd: Grd, request: Request,
) -> Response:
    if user is not None:
        grd.require_owner(request, user)
    context: dict[str, str | int | float | bool] = {"occasion": occasion} if occasion else {}
    return await _recommend(svc, RecommendRequest(query=_query(q), user_id=user, context=context, k=k))


@router.get("/products/{product_id}", response_model=ProductDetail, summary="A product with its relations",
            responses={404: {"model": ErrorResponse}})
async def product(svc: Svc, product_id: ProductId) -> Response:
    def run() -> ProductDetail:
        p = svc.component("catalog").get(product_id)
        knowledge = svc.optional("knowledge")
        intents = knowledge.intents_of_product(product_id, limit=8) if knowledge is not None else []
        return ProductDetail(
            id=p.id, name=p.name, price=p.price, in_stock=p.in_stock, text=p.text, fields=p.fields,
            attributes=p.attributes, intents=intents, relations=svc.related(product_id),
        )

    return await svc.cached(("product", product_id), run, "product")


@router.post("/recipe", response_model=RecipeOut, summary="A recipe that uses the cart",
             responses={404: {"model": ErrorResponse},
                        202: {"description": "the recipe is still being written; ask again after Retry-After"}})
async def recipe(svc: Svc, grd: Grd, request: Request, req: RecipeRequest) -> Response:
    if req.user_id is not None:
        grd.require_owner(request, req.user_id)

    def run() -> RecipeOut:
        cart = list(dict.fromkeys(req.product_ids))
        got = svc.products(cart)
        unknown = [pid for pid in cart if pid not in got]
        if unknown:
            raise NotFound(f"no product with id {unknown[0]!r}")
        fn = find_recipe_api(svc.rt, svc.optional("knowledge"))
        if fn is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "recipes are not available yet; "
                                "run `shelfmind demo` to build the knowledge base")
        raw = call_recipe_api(fn, [got[pid] for pid in cart], req.user_id)
        out = recipe_out(raw, set(cart), {**got, **svc.products(ingredient_ids(raw))})
        if out is None:
            raise NotFound("no recipe uses these products", hint="add a main ingredient such as pasta or rice")
        return out

    # a recipe may be written by the LLM: its own lane, so search and recommend never wait on it
    return await svc.cached_slow(("recipe", tuple(sorted(req.product_ids)), req.user_id), run, "recipe")


@router.get("/knowledge", response_model=KnowledgeResponse, summary="Knowledge base lookup for an intent")
async def knowledge(svc: Svc, q: Q, limit: Annotated[int, Query(ge=1, le=50)] = 12) -> Response:
    query = _query(q)

    def run() -> KnowledgeResponse:
        kb = svc.component("knowledge")
        themes = [ThemeOut(name=t.name, explanation=t.explanation, products=svc.cards(t.product_ids[:8]))
                  for t in kb.themes_for(query, limit=6)]
        links = kb.intent_products(query, limit=limit)
        cards = {c.id: c for c in svc.cards([link.product_id for link in links])}
        return KnowledgeResponse(query=query, themes=themes, links=[
            IntentLinkOut(intent=link.intent, product=cards[link.product_id].model_copy(
                update={"explanation": link.explanation, "score": link.score}), evidence=link.evidence)
            for link in links if link.product_id in cards
        ])

    return await svc.cached(("knowledge", query, limit), run, "knowledge")


@router.get("/knowledge/products/{product_id}", summary="Relations and intents of one product",
            responses={404: {"model": ErrorResponse}})
async def knowledge_product(
    svc: Svc, product_id: ProductId, kind: Annotated[list[RelationKind], Query()] = [],  # noqa: B006
) -> dict[str, object]:
    def run() -> dict[str, object]:
        svc.component("catalog").get(product_id)
        kb = svc.component("knowledge")
        rels = kb.relations(product_id, kind, limit=40)
        return {
            "product_id": product_id,
            "intents": kb.intents_of_product(product_id, limit=20),
            "relations": [r.model_dump(mode="json") for r in rels],
        }

    return await svc.read(run)
