"""Real purchase histories for offline evaluation: UCI Online Retail and 84.51 Complete Journey.

Each loader returns a `Histories`: products (with names built from the data) and, per user, their
baskets in time order. `split()` holds out each user's last basket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from shelfmind.errors import DataError, NotFound
from shelfmind.schemas import Product


@dataclass
class Histories:
    name: str
    products: dict[str, Product]
    baskets: dict[str, list[list[str]]] = field(default_factory=dict)  # user -> baskets, oldest first

    def split(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """(train history per user, held-out last basket per user, as unique items)."""
        train, test = {}, {}
        for user, baskets in self.baskets.items():
            if len(baskets) < 2:
                continue
            train[user] = [pid for b in baskets[:-1] for pid in b]
            test[user] = list(dict.fromkeys(baskets[-1]))
        return train, test


def _require(path: Path) -> Path:
    if not path.exists():
        raise NotFound(f"dataset file {path} is missing", hint="the shared data folder holds the dev datasets")
    return path


def _baskets(df: pd.DataFrame, user: str, basket: str, item: str, time: str, min_baskets: int,
             max_users: int | None) -> dict[str, list[list[str]]]:
    df = df.sort_values([user, time, basket])
    counts = df.groupby(user)[basket].nunique()
    keep = counts[counts >= min_baskets].index
    df = df[df[user].isin(keep)]
    out: dict[str, list[list[str]]] = {}
    for (u, _), grp in df.groupby([user, basket], sort=False):
        out.setdefault(str(u), []).append([str(x) for x in grp[item]])
    if max_users is not None and len(out) > max_users:
        out = {u: out[u] for u in sorted(out)[:max_users]}
    return out


def load_online_retail(data_dir: Path, *, min_invoices: int = 5, max_users: int | None = None) -> Histories:
    path = _require(data_dir / "online-retail" / "online_retail_40k_sample.csv.gz")
    try:
        df = pd.read_csv(path, dtype={"CustomerID": str, "InvoiceNo": str, "StockCode": str})
    except (ValueError, OSError) as exc:
        raise DataError(f"cannot read online retail: {exc}", file=str(path)) from None
    for col in ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"):
        if col not in df.columns:
            raise DataError("missing column", file=str(path), field=col)
    df = df[df.CustomerID.notna() & ~df.InvoiceNo.str.startswith("C") & (df.Quantity > 0)]
    baskets = _baskets(df, "CustomerID", "InvoiceNo", "StockCode", "InvoiceDate", min_invoices, max_users)
    used = {pid for bs in baskets.values() for b in bs for pid in b}
    df = df[df.StockCode.isin(used)]
    names = df.groupby("StockCode").Description.agg(lambda s: str(s.dropna().iloc[0]) if s.notna().any() else "")
    prices = df.groupby("StockCode").UnitPrice.median()
    products = {
        str(code): Product(id=str(code), name=(names[code] or str(code)).strip().title(), price=float(prices[code]))
        for code in names.index
    }
    return Histories("online-retail", products, baskets)


def load_completejourney(data_dir: Path, *, min_baskets: int = 5, max_users: int | None = None) -> Histories:
    tpath = _require(data_dir / "completejourney" / "transactions_sample.csv.gz")
    ppath = _require(data_dir / "completejourney" / "products.csv.gz")
    tx = pd.read_csv(tpath, dtype={"household_id": str, "basket_id": str, "product_id": str})
    tx = tx[tx.quantity > 0]
    prods = pd.read_csv(ppath, dtype={"product_id": str}).set_index("product_id")
    baskets = _baskets(tx, "household_id", "basket_id", "product_id", "transaction_timestamp", min_baskets, max_users)
    used = sorted({pid for bs in baskets.values() for b in bs for pid in b})
    unit = (tx.sales_value / tx.quantity.clip(lower=1)).groupby(tx.product_id).median()
    products: dict[str, Product] = {}
    for pid in used:
        if pid in prods.index:
            row = prods.loc[pid]
            parts = [str(row.get(c)) for c in ("product_type", "product_category") if isinstance(row.get(c), str)]
            name = " - ".join(parts).replace("/", " ").title() or f"Product {pid}"
            store_brand = str(row.get("brand")) == "Private"
        else:
            name, store_brand = f"Product {pid}", False
        price = float(unit.get(pid, 0.0)) or None
        products[pid] = Product(id=pid, name=name, price=price, fields={"store_brand": store_brand})
    return Histories("completejourney", products, baskets)
