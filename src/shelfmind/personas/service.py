"""The user/profile service: behaviour events, statements, persona assessment (signature-cached)."""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from shelfmind.errors import NotFound, UserError
from shelfmind.llm.base import LLM
from shelfmind.personas.assign import SignatureCache, evidence
from shelfmind.personas.catalog import PersonaCatalog
from shelfmind.personas.facts import FactBook
from shelfmind.personas.profile import PersonaWeight, Statement, UserProfile, resolve
from shelfmind.personas.statements import EffectKind, parse_statement
from shelfmind.personas.store import EventKind, UserStore

MAX_STATEMENT_CHARS = 2000
STATED_PERSONA_WEIGHT = 0.35  # weight a persona hint from a statement adds before renormalising
HISTORY_CAP = 5000  # very long histories: the most recent events are assessed


class UserService:
    def __init__(self, store: UserStore, book: FactBook, personas: PersonaCatalog, assigner: SignatureCache,
                 llm: LLM | None = None) -> None:
        self.store = store
        self.book = book
        self.personas = personas
        self.assigner = assigner
        self.llm = llm

    # ---- users and events ---------------------------------------------------------------------
    def ensure_user(self, user_id: str, display_name: str = "") -> None:
        if not user_id.strip() or len(user_id) > 200:
            raise UserError("a user id must be 1-200 characters")
        self.store.ensure_user(user_id, display_name)

    def add_purchases(self, user_id: str, product_ids: Iterable[str], *, basket: str | None = None,
                      kind: EventKind = EventKind.PURCHASE) -> int:
        self.ensure_user(user_id)
        return self.store.add_events(user_id, product_ids, kind=kind, basket=basket)

    def list_users(self) -> list[dict[str, Any]]:
        return self.store.list_users()

    def delete_user(self, user_id: str) -> None:
        self.store.delete_user(user_id)

    # ---- statements ---------------------------------------------------------------------------
    def add_statement(self, user_id: str, text: str, *, source: str = "user", use_llm: bool = True) -> Statement:
        text = self._check_text(text)
        self.ensure_user(user_id)
        parsed = parse_statement(text, llm=self.llm if use_llm else None, catalog=self.personas)
        sid = self.store.add_statement(user_id, text, parsed.effects, notes=parsed.notes, trace=parsed.trace,
                                       source=source)
        return next(s for s in self.statements(user_id) if s.id == sid)

    def add_answer(self, user_id: str, question: str, yes_statement: str, answer: bool) -> Statement:
        """Store the answer to a proactive question as a statement ("no" adds no effects)."""
        if answer:
            return self.add_statement(user_id, yes_statement, source="question")
        self.ensure_user(user_id)
        sid = self.store.add_statement(user_id, f"{question} - no", [], notes=["answer to a question"], trace=None,
                                       source="question")
        return next(s for s in self.statements(user_id) if s.id == sid)

    def edit_statement(self, sid: int, text: str) -> Statement:
        text = self._check_text(text)
        user_id = self.store.statement_owner(sid)
        parsed = parse_statement(text, llm=self.llm, catalog=self.personas)
        self.store.update_statement(sid, text, parsed.effects, notes=parsed.notes, trace=parsed.trace)
        return next(s for s in self.statements(user_id) if s.id == sid)

    def delete_statement(self, sid: int) -> str:
        return self.store.delete_statement(sid)

    def statements(self, user_id: str) -> list[Statement]:
        self.store.user_row(user_id)
        ordered, _ = resolve(self.store.statements(user_id))
        return ordered

    @staticmethod
    def _check_text(text: str) -> str:
        text = " ".join(text.split())
        if not text:
            raise UserError("a statement cannot be empty")
        if len(text) > MAX_STATEMENT_CHARS:
            raise UserError(f"a statement is at most {MAX_STATEMENT_CHARS} characters (got {len(text)})")
        return text

    # ---- the profile --------------------------------------------------------------------------
    def profile(self, user_id: str) -> UserProfile:
        row = self.store.user_row(user_id)  # NotFound for an unknown user
        history = self.store.history(user_id)[-HISTORY_CAP:]
        sig = row.get("signature")
        personas: list[PersonaWeight]
        if row.get("personas") is not None and not self.assigner.changed(sig, history):
            personas = [PersonaWeight.model_validate(p) for p in json.loads(row["personas"])]
            assessed_by = row.get("assessed_by") or ""
        else:  # new or materially changed behaviour: (re-)assess, through the signature cache
            sig, personas, assessed_by = self._reassess(user_id, history)
        statements, live = resolve(self.store.statements(user_id))
        constraints = sorted({e.value for e in live.values() if e.kind == EffectKind.CONSTRAINT})
        preferences = {slot: e.value for slot, e in live.items() if e.kind == EffectKind.PREFERENCE}
        hinted = [e.value for e in live.values() if e.kind == EffectKind.PERSONA]
        personas = self._merge_hints(personas, hinted)
        counts = Counter(pid for pid in history if pid in self.book)
        return UserProfile(
            user_id=user_id, display_name=row.get("display_name") or "", personas=personas,
            constraints=constraints, preferences=preferences, statements=statements,
            history_size=len(history), history=[pid for pid, _ in counts.most_common(500)], signature=sig,
            assessed_by=assessed_by, cold_start=not personas,
        )

    def assess(self, user_ids: Iterable[str], *, progress: Any = None) -> list[dict[str, Any]]:
        """(Re-)assess personas from behaviour in batch, through the signature cache, and store them
        (`shelfmind user assign`, the demo): the request path keeps a stored assessment until the
        user's behaviour signature changes. `progress` is called once per user."""
        out = []
        for uid in user_ids:
            self.store.user_row(uid)  # NotFound for an unknown user
            sig, personas, assessed_by = self._reassess(uid, self.store.history(uid)[-HISTORY_CAP:])
            out.append({"user": uid, "signature": sig, "cached": assessed_by == "cache",
                        "personas": [p.model_dump() for p in personas]})
            if progress is not None:
                progress()
        return out

    def _reassess(self, user_id: str, history: list[str]) -> tuple[str, list[PersonaWeight], str]:
        """Assess `history` through the signature cache and store it: (signature, personas, assessed by)."""
        weights, sig, cached = self.assigner.assess(history)
        personas = evidence(self.book, self.personas, history, weights)
        assessed_by = "cache" if cached else self.assigner.assessor.id
        self.store.set_assessment(user_id, sig, [p.model_dump() for p in personas], assessed_by)
        return sig, personas, assessed_by

    def _merge_hints(self, personas: list[PersonaWeight], hinted: list[str]) -> list[PersonaWeight]:
        if not hinted:
            return personas
        by_id = {p.id: p for p in personas}
        for pid in hinted:
            persona = self.personas.get(pid)
            if pid in by_id:
                by_id[pid].weight += STATED_PERSONA_WEIGHT
                by_id[pid].source = "behaviour+statement"
            else:
                by_id[pid] = PersonaWeight(id=pid, name=persona.name, weight=STATED_PERSONA_WEIGHT,
                                           evidence=["you told us"], source="statement")
        total = sum(p.weight for p in by_id.values())
        merged = sorted(by_id.values(), key=lambda p: -p.weight)
        for p in merged:
            p.weight = round(p.weight / total, 3)
        return merged

    # ---- demo users ---------------------------------------------------------------------------
    def seed_demo_users(self, path: Path | None = None, *, force: bool = False) -> list[str]:
        """Load the shipped demo users (histories over the bundled grocery catalog). Idempotent."""
        path = path or Path(str(resources.files("shelfmind.personas") / "demo_users.toml"))
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        seeded = []
        for u in data.get("user", []):
            if self.store.exists(u["id"]) and not force:
                continue
            if force and self.store.exists(u["id"]):
                self.store.delete_user(u["id"])
            known = [pid for pid in u["purchases"] if pid in self.book]
            if not known:
                raise NotFound(f"demo user {u['id']}: none of its products are in the catalog",
                               hint="ingest the bundled grocery catalog first")
            self.ensure_user(u["id"], u.get("name", ""))
            for i in range(0, len(known), 8):
                self.store.add_events(u["id"], known[i:i + 8], basket=f"demo-{i // 8}")
            for text in u.get("statements", []):
                self.add_statement(u["id"], text, use_llm=False)
            seeded.append(u["id"])
        return seeded
