"""A manager's monthly Excel export, with European dates and decimal commas, gives the same
plan as a clean daily CSV of the same sales (issue 10, "Done means")."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

import workbench as wb


def _daily_business(seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Twelve SKUs of steady daily sales over two years, with European-looking costs."""
    rng = np.random.default_rng(seed)
    skus = [f"{i:05d}" for i in range(1, 13)]  # leading zeros, as item numbers often have
    days = pd.date_range("2024-01-01", "2025-12-31", freq="D")
    rates = rng.uniform(2.0, 40.0, len(skus))
    demand = pd.DataFrame(
        {
            "date": np.repeat(days, len(skus)),
            "sku": np.tile(skus, len(days)),
            "quantity": rng.poisson(np.tile(rates, len(days))).astype(float),
        }
    )
    items = pd.DataFrame(
        {
            "sku": skus,
            "name": [f"Artikel {s}" for s in skus],
            "inventory_type": "finished_good",
            "unit_cost": np.round(rng.uniform(0.5, 30.0, len(skus)), 2),
            "lead_time_days": rng.integers(5, 30, len(skus)).astype(float),
            "order_cost": 40.0,
        }
    )
    return items, demand


def _euro(x: float) -> str:
    """1234.5 -> '1.234,50' (German/Dutch/Italian number format)."""
    whole, frac = f"{x:,.2f}".split(".")
    return whole.replace(",", ".") + "," + frac


def _write_export(path, items: pd.DataFrame, monthly: pd.DataFrame) -> None:
    """A workbook as a European ERP exports it: a title row above the header, text
    cells with dd.mm.yyyy dates and decimal commas, headers with units."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "items"
    ws.append(
        ["Item No.", "Description", "Type", "Unit Cost (€)", "Lead Time (days)", "Order Cost"]
    )
    for r in items.itertuples():
        ws.append(
            [r.sku, r.name, "Finished goods", _euro(r.unit_cost), int(r.lead_time_days), "40,00"]
        )
    ws = book.create_sheet("sales")  # an alias of the demand table
    ws.append(["Date", "Item No.", "Qty."])
    for r in monthly.itertuples():
        ws.append([f"{r.date:%d.%m.%Y}", r.sku, _euro(r.quantity)])
    book.save(path)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    items, demand = _daily_business()
    folder = tmp_path_factory.mktemp("daily")
    items.to_csv(folder / "items.csv", index=False)
    demand.to_csv(folder / "demand.csv", index=False)
    daily = wb.load_dataset(folder)
    monthly_rows = (
        demand.assign(date=demand["date"].dt.to_period("M").dt.to_timestamp())
        .groupby(["date", "sku"], as_index=False)["quantity"]
        .sum()
    )
    xlsx = tmp_path_factory.mktemp("export") / "export.xlsx"
    _write_export(xlsx, items, monthly_rows)
    return daily, wb.load_dataset(xlsx)


def test_the_export_reads_as_monthly_sales_with_the_right_numbers(both):
    daily, export = both
    assert daily.demand_frequency == "D" and export.demand_frequency == "M"
    assert export.items["sku"].tolist() == daily.items["sku"].tolist()  # zeros kept
    np.testing.assert_allclose(export.items["unit_cost"], daily.items["unit_cost"], rtol=0)
    assert export.demand["date"].min() == pd.Timestamp("2024-01-01")
    assert export.demand["date"].max() == pd.Timestamp("2025-12-01")  # 1 December, not 12 January
    assert export.demand["quantity"].sum() == daily.demand["quantity"].sum()


def test_the_export_plans_exactly_like_the_daily_data_summed_to_months(both):
    daily, export = both
    by_month = wb.plan(daily.with_frequency("M"))
    from_export = wb.plan(export)
    for col in ("annual_demand", "order_quantity", "reorder_point", "safety_stock"):
        np.testing.assert_allclose(from_export[col], by_month[col], rtol=1e-12, err_msg=col)


def test_the_export_plans_like_the_clean_daily_csv(both):
    daily, export = both
    p_day, p_month = wb.plan(daily), wb.plan(export)
    # the same sales: annual demand and the EOQ agree to the 365 / 365.25 day-year
    np.testing.assert_allclose(p_month["annual_demand"], p_day["annual_demand"], rtol=2e-3)
    np.testing.assert_allclose(p_month["eoq"], p_day["eoq"], rtol=2e-3)
    # the reorder point's mean part agrees; its safety part rests on a standard deviation
    # estimated from 24 months instead of 731 days (about +-15 % at one standard error)
    np.testing.assert_allclose(
        p_month["lead_time_demand_mean"], p_day["lead_time_demand_mean"], rtol=2e-3
    )
    ratio = p_month["reorder_point"] / p_day["reorder_point"]
    assert ratio.between(0.85, 1.15).all(), ratio
    # before: the monthly rows were read as 1 sale day and 29 zero days (class Z, safety
    # stock several times too high)
    assert (p_month["xyz"] == p_day["xyz"]).mean() >= 0.75
