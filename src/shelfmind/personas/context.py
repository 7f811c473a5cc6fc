"""Situational context: date/season, calendar events, and session actions.

    ctx = Context.parse('{"date": "2027-02-10", "viewed": ["0001"]}')   # or "date=2027-02-10 event=super_bowl"
    ctx.events          # [Event.SUPER_BOWL] (derived from the date when not given)
    ctx.boosts()        # fact -> weight for ranking
"""

from __future__ import annotations

import datetime as dt
import json
from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from shelfmind.errors import UserError


class Season(StrEnum):
    WINTER = "winter"
    SPRING = "spring"
    SUMMER = "summer"
    AUTUMN = "autumn"


class Event(StrEnum):
    SUPER_BOWL = "super_bowl"
    VALENTINES = "valentines"
    EASTER = "easter"
    JULY_4TH = "july_4th"
    HALLOWEEN = "halloween"
    THANKSGIVING = "thanksgiving"
    CHRISTMAS = "christmas"
    NEW_YEAR = "new_year"
    BACK_TO_SCHOOL = "back_to_school"


# fact -> weight (facts from personas/facts.py) and query words that favour an event's products
EVENT_BOOSTS: dict[Event, dict[str, float]] = {
    Event.SUPER_BOWL: {"party": 0.6, "cat:snacks": 0.3, "cat:beverages": 0.2},
    Event.VALENTINES: {"premium_words": 0.3, "treat": 0.3},
    Event.EASTER: {"treat": 0.3, "cat:baking": 0.2},
    Event.JULY_4TH: {"party": 0.4, "cat:meat": 0.3, "cat:beverages": 0.2},
    Event.HALLOWEEN: {"treat": 0.6},
    Event.THANKSGIVING: {"cat:baking": 0.4, "cooking_ingredient": 0.3, "cat:meat": 0.2},
    Event.CHRISTMAS: {"cat:baking": 0.4, "premium_words": 0.2, "treat": 0.2},
    Event.NEW_YEAR: {"party": 0.4, "cat:alcohol": 0.2},
    Event.BACK_TO_SCHOOL: {"kids": 0.4, "convenience": 0.3},
}
SEASON_BOOSTS: dict[Season, dict[str, float]] = {
    Season.WINTER: {"cat:soups_meals": 0.2, "cat:coffee_tea": 0.15},
    Season.SPRING: {"cat:produce": 0.1},
    Season.SUMMER: {"cat:beverages": 0.2, "cat:frozen": 0.1, "party": 0.1},
    Season.AUTUMN: {"cat:baking": 0.15, "cat:soups_meals": 0.1},
}


def season_of(d: dt.date) -> Season:
    return {12: Season.WINTER, 1: Season.WINTER, 2: Season.WINTER, 3: Season.SPRING, 4: Season.SPRING,
            5: Season.SPRING, 6: Season.SUMMER, 7: Season.SUMMER, 8: Season.SUMMER}.get(d.month, Season.AUTUMN)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    d = dt.date(year, month, 1)
    d += timedelta(days=(weekday - d.weekday()) % 7)
    return d + timedelta(weeks=n - 1)


def _easter(year: int) -> dt.date:  # anonymous Gregorian algorithm
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m + 114) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def events_near(d: dt.date, *, days_before: int = 10) -> list[Event]:
    """Events in the next `days_before` days (shoppers stock up before, not after)."""
    y = d.year
    dates = {
        Event.SUPER_BOWL: _nth_weekday(y, 2, 6, 2),  # second Sunday of February (recent years)
        Event.VALENTINES: dt.date(y, 2, 14),
        Event.EASTER: _easter(y),
        Event.JULY_4TH: dt.date(y, 7, 4),
        Event.HALLOWEEN: dt.date(y, 10, 31),
        Event.THANKSGIVING: _nth_weekday(y, 11, 3, 4),  # fourth Thursday of November
        Event.CHRISTMAS: dt.date(y, 12, 25),
        Event.NEW_YEAR: dt.date(y, 12, 31),
        Event.BACK_TO_SCHOOL: dt.date(y, 8, 25),
    }
    return [e for e, when in dates.items() if 0 <= (when - d).days <= days_before]


class Context(BaseModel):
    date: dt.date | None = None
    season: Season | None = None
    events: list[Event] = Field(default_factory=list)
    viewed: list[str] = Field(default_factory=list)  # product ids just viewed in this session
    added: list[str] = Field(default_factory=list)  # product ids just added to the cart

    def resolved(self) -> Context:
        """Fill season and events from the date (given explicitly, or today)."""
        d = self.date or dt.date.today()
        return self.model_copy(update={
            "date": d,
            "season": self.season or season_of(d),
            "events": self.events or events_near(d),
        })

    def boosts(self) -> dict[str, float]:
        out: dict[str, float] = {}
        tables = [EVENT_BOOSTS[e] for e in self.events] + ([SEASON_BOOSTS[self.season]] if self.season else [])
        for table in tables:
            for f, w in table.items():
                out[f] = out.get(f, 0.0) + w
        return out

    def describe(self) -> str:
        parts = [e.value.replace("_", " ") for e in self.events]
        if self.season:
            parts.append(self.season.value)
        return ", ".join(parts)

    @classmethod
    def parse(cls, raw: str | dict[str, Any] | None) -> Context:
        """From a JSON object or `key=value` pairs (lists comma-separated)."""
        if raw is None or raw == "":
            return cls()
        if isinstance(raw, dict):
            data: dict[str, Any] = dict(raw)
        elif raw.strip().startswith("{"):
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise UserError(f"--context is not valid JSON: {exc}") from None
        else:
            data = {}
            for part in raw.replace(";", " ").split():
                key, sep, value = part.partition("=")
                if not sep:
                    raise UserError(f"--context: expected key=value, got {part!r}")
                data[key.strip()] = value.strip()
        if isinstance(data.get("event"), str):
            data.setdefault("events", data.pop("event"))
        for key in ("events", "viewed", "added"):
            if isinstance(data.get(key), str):
                data[key] = [v for v in data[key].split(",") if v]
        if "events" in data:
            data["events"] = [str(e).strip().lower().replace(" ", "_").replace("-", "_") for e in data["events"]]
        unknown = set(data) - set(cls.model_fields)
        if unknown:
            raise UserError(f"--context: unknown keys {sorted(unknown)}", hint=f"known: {sorted(cls.model_fields)}")
        try:
            return cls.model_validate(data)
        except ValueError as exc:
            raise UserError(f"--context: {str(exc).splitlines()[0]} ({exc})") from None
