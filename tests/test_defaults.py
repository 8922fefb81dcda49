"""Dataset.defaults: every value the loader filled in, recorded as a table."""

from __future__ import annotations

import numpy as np
import pandas as pd

import workbench as wb
from workbench.data.dataset import DEFAULTS_COLUMNS


def _demand(skus: list[str]) -> pd.DataFrame:
    days = pd.date_range("2026-01-01", periods=30)
    return pd.DataFrame(
        {
            "date": np.repeat(days, len(skus)),
            "sku": skus * len(days),
            "quantity": np.tile(np.arange(1, len(skus) + 1), len(days)),
        }
    )


def test_missing_and_blank_columns_are_recorded(tmp_path):
    (tmp_path / "items.csv").write_text(
        "sku,name,inventory_type,unit,unit_cost,lead_time_days,lead_time_sd_days\n"
        "A,Milk,finished_good,litres,1.0,5,1\n"
        "B,Flour,raw_material,kg,2.0,4,\n"
        "C,Oil,raw_material,,3.0,,\n"
    )
    _demand(["A", "B", "C"]).to_csv(tmp_path / "demand.csv", index=False)
    ds = wb.load_dataset(tmp_path)
    d = ds.defaults
    assert tuple(d.columns) == DEFAULTS_COLUMNS
    rows = {c: r for c, r in zip(d["column"], d.to_dict("records"), strict=True)}
    # no holding_cost_rate column: every item got 25 %
    assert rows["holding_cost_rate"] == {
        "table": "items",
        "column": "holding_cost_rate",
        "value": 0.25,
        "rows": 3,
        "all_rows": True,
        "source": "default",
        "file": "items.csv",
    }
    assert rows["order_cost"]["value"] == 50.0 and rows["order_cost"]["all_rows"]
    # blank cells in a column that is there: counted, not "all rows"
    assert (rows["lead_time_sd_days"]["rows"], rows["lead_time_sd_days"]["all_rows"]) == (2, False)
    assert (rows["unit"]["value"], rows["unit"]["rows"]) == ("each", 1)
    # a blank lead time has no default: it stays missing and is not in the table
    assert "lead_time_days" not in rows
    assert np.isnan(ds.items.set_index("sku").loc["C", "lead_time_days"])
    # the notes are kept
    assert any("holding_cost_rate" in n for n in ds.notes)


def test_lead_times_taken_from_suppliers_are_recorded():
    items = pd.DataFrame(
        {
            "sku": ["A", "B"],
            "unit_cost": [1.0, 2.0],
            "inventory_type": ["finished_good", "finished_good"],
            "supplier_id": ["S1", "S1"],
            "lead_time_days": [3.0, None],
        }
    )
    suppliers = pd.DataFrame({"supplier_id": ["S1"], "lead_time_days": [9.0]})
    ds = wb.Dataset.from_tables(
        {"items": items, "demand": _demand(["A", "B"]), "suppliers": suppliers}
    )
    row = ds.defaults.set_index("column").loc["lead_time_days"]
    assert row["rows"] == 1 and not row["all_rows"] and row["value"] is None
    assert row["source"] == "table 'suppliers'"
    assert ds.items["lead_time_days"].tolist() == [3.0, 9.0]


def test_nothing_filled_gives_an_empty_table():
    ds = wb.sample_dataset(n_skus=80, years=1, seed=3)
    assert tuple(ds.defaults.columns) == DEFAULTS_COLUMNS
    full = wb.Dataset.from_tables(ds.tables)
    # the generator writes every column: nothing to fill in
    assert full.defaults.empty, full.defaults
    assert full.defaults["rows"].dtype == np.int64 and full.defaults["all_rows"].dtype == bool
