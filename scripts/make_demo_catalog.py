"""Cut the bundled demo catalog from ../shared/data/off-grocery (Open Food Facts, ODbL).

    python scripts/make_demo_catalog.py [--n 3000]

Deterministic: a stratified sample over shopping-relevant keywords (so the demo has breakfast,
snacks, dairy, meat, fish, vegan, baby, drinks and the few alcoholic products), filled up with a
seeded random sample. Prices are SYNTHETIC demo data (`demo_price`): a base price per product type
(a keyword table below) times a factor in [0.75, 1.45] from a hash of the barcode, ending in .x9.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO.parent / "shared" / "data" / "off-grocery" / "products.jsonl.gz"
OUT = REPO / "src" / "shelfmind" / "data" / "grocery" / "products.jsonl.gz"

# keyword -> base price in USD (first match wins, so specific keywords come first)
BASE_PRICES: list[tuple[str, float]] = [
    ("wine", 11.99), ("beer", 8.99), ("vodka", 17.99), ("whiskey", 24.99), ("bourbon", 24.99), ("cider", 7.99),
    ("salmon", 9.99), ("shrimp", 8.99), ("tuna", 2.49), ("beef", 7.99), ("steak", 10.99), ("chicken", 5.99),
    ("turkey", 5.49), ("pork", 5.99), ("bacon", 6.49), ("sausage", 4.99), ("ham", 4.99),
    ("mozzarella", 4.49), ("cheddar", 4.49), ("parmesan", 6.99), ("cheese", 4.29), ("butter", 4.49),
    ("ice cream", 4.99), ("yogurt", 1.49), ("milk", 3.49), ("egg", 3.99),
    ("coffee", 8.99), ("tea", 4.49), ("juice", 3.49), ("soda", 1.99), ("water", 1.29),
    ("protein bar", 2.29), ("granola", 4.49), ("cereal", 4.29), ("oat", 3.99), ("pancake", 3.49), ("syrup", 5.49),
    ("bread", 3.29), ("bagel", 3.49), ("tortilla", 2.99), ("pasta", 1.79), ("spaghetti", 1.79), ("rice", 2.49),
    ("pizza", 5.99), ("soup", 2.29), ("sauce", 2.99), ("salsa", 3.29), ("hummus", 3.99), ("tofu", 2.99),
    ("chips", 3.49), ("popcorn", 2.99), ("cracker", 3.29), ("cookie", 3.49), ("chocolate", 2.99), ("candy", 1.99),
    ("peanut butter", 3.99), ("almond", 6.99), ("nuts", 5.99), ("baby", 1.79), ("infant", 1.79),
    ("honey", 5.99), ("jam", 3.49), ("oil", 6.49), ("vinegar", 2.99), ("spice", 3.99), ("seasoning", 2.99),
    ("flour", 3.49), ("sugar", 2.99), ("beans", 1.29), ("frozen", 3.99),
]
STRATA = [k for k, _ in BASE_PRICES] + ["vegan", "gluten free", "organic", "plant based", "keto", "kids"]


def demo_price(barcode: str, name: str) -> float:
    lower = name.lower()
    base = next((p for k, p in BASE_PRICES if k in lower), 3.49)
    h = int(hashlib.sha256(barcode.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    price = base * (0.75 + 0.7 * h)
    return max(0.49, round(int(price) + 0.49 if price % 1 < 0.5 else int(price) + 0.99, 2))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--per-stratum", type=int, default=32)
    args = ap.parse_args()
    rows = [json.loads(line) for line in gzip.open(SRC, "rt", encoding="utf-8")]
    rows.sort(key=lambda r: hashlib.sha256(r["barcode"].encode()).hexdigest())
    chosen: dict[str, dict] = {}
    for r in rows:  # every product with alcohol (there are few): needed for constraint demos
        if (r["nutrition"].get("alcohol") or 0) > 0:
            chosen[r["barcode"]] = r
    for key in STRATA:
        hits = [r for r in rows if key in r["name"].lower() or (len(key) > 4 and key in r["ingredients"].lower()[:60])]
        for r in hits[: args.per_stratum]:
            chosen.setdefault(r["barcode"], r)
    rng = random.Random(0)
    rest = [r for r in rows if r["barcode"] not in chosen]
    rng.shuffle(rest)
    for r in rest:
        if len(chosen) >= args.n:
            break
        chosen[r["barcode"]] = r
    out = []
    for r in sorted(chosen.values(), key=lambda r: r["barcode"])[: args.n]:
        r = dict(r)
        r.pop("is_organic", None)  # always null in the source
        r["demo_price"] = demo_price(r["barcode"], r["name"])
        out.append(r)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as fh:
        for r in out:
            fh.write((json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    print(f"wrote {len(out)} products to {OUT.relative_to(REPO)} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
