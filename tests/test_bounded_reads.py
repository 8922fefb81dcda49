"""Bounded reads: zip bombs, huge workbook parts, runaway lines and wide files are refused.

Issue 16 ("Bounded uploads and files"): a 0.5 MB zip expanding to 250 MB took 253 s and
7.5 GB; a 2 MB zip of NUL bytes 53 s and 4.4 GB; a 1 GB one-line CSV and a 7 MB workbook
with a 2 GB shared-strings part ran out of memory. Each is refused here with a DataError
naming the file and the limit (with its value), within 2 s and 200 MB. The bombs are built
on the fly by ``benchmarks/bench_bombs.py`` (a flushed deflate block repeated: 2 GB in a
fifth of a second); where a true-size bomb would be slow to build, the limits are lowered.
"""

from __future__ import annotations

import importlib.util
import io
import shutil
import time
import tracemalloc
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from workbench import DataError, ReadLimits, load_dataset, load_uploaded

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "bench_bombs", ROOT / "benchmarks" / "bench_bombs.py"
)
bombs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bombs)

MiB = 1 << 20
#: Limits that leave only the one under test in play.
LOOSE = dict(max_ratio=1e9, ratio_free_bytes=1 << 40)


def _refused(load, *args, **kwargs) -> tuple[str, float, int]:
    """(message, seconds, peak Python allocation [bytes]) of a load that must fail."""
    tracemalloc.start()
    t = time.perf_counter()
    try:
        with pytest.raises(DataError) as err:
            load(*args, **kwargs)
    finally:
        seconds = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return str(err.value), seconds, peak


# --------------------------------------------------------------------------- default limits


def test_nul_zip_is_refused_in_under_2_s_and_200_mb(tmp_path):
    """The issue's 2 MB zip of 2 GB of NUL bytes, default limits, in a fresh process."""
    path = bombs.nul_zip(tmp_path / "nul.zip", 2_000_000_000)
    assert path.stat().st_size < 3_000_000
    got = bombs.measure("path", path)
    assert got["seconds"] < 2, got
    assert got["extra_mb"] < 200, got
    assert got["message"].startswith("- nul.zip: expected files of at most 1 GiB")
    assert "ReadLimits.max_entry_bytes = 1,073,741,824" in got["message"]
    assert "demand.csv is 1.9 GiB" in got["message"]


def test_zip_of_a_one_line_csv_of_zeros_is_refused_by_ratio(tmp_path):
    """1 GB of "0" characters (one line) zipped to 1 MB: refused from the directory."""
    path = bombs.write_zip(
        tmp_path / "zeros.zip",
        {"items.csv": bombs.ITEMS, "demand.csv": [(b"0" * MiB, 950)]},
    )
    message, seconds, peak = _refused(load_dataset, path)
    assert seconds < 2 and peak < 20 * MiB
    assert "zeros.zip: expected files compressed at most 100 to 1" in message
    assert "(ReadLimits.max_ratio = 100, for files over 16 MiB)" in message
    assert "demand.csv expands 1,0" in message  # about 1,030 times


def test_one_line_csv_is_refused_reading_its_first_megabytes(tmp_path):
    """A 64 MiB CSV that is one line: refused from its head, never read whole."""
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "items.csv").write_bytes(bombs.ITEMS)
    bombs.one_line_csv(folder / "demand.csv", 64 * MiB)
    message, seconds, peak = _refused(load_dataset, folder)
    assert seconds < 2
    assert peak < 16 * MiB  # the 4 MiB head, not the 64 MiB file
    assert (
        "demand.csv, row 2: expected lines of at most 1 MiB "
        "(ReadLimits.max_line_bytes = 1,048,576), but line 2 is longer" in message
    )


def test_uploaded_one_line_csv_is_refused_before_decoding(tmp_path):
    data = bombs.one_line_csv(tmp_path / "demand.csv", 64 * MiB).read_bytes()
    message, seconds, peak = _refused(load_uploaded, {"items.csv": bombs.ITEMS, "demand.csv": data})
    assert seconds < 2 and peak < 16 * MiB  # no decoded copy of the 64 MiB
    assert "demand.csv, row 2: expected lines of at most 1 MiB" in message


def test_100000_column_csv_is_refused_quickly(tmp_path):
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "items.csv").write_bytes(bombs.ITEMS)
    bombs.wide_csv(folder / "demand.csv", 100_000)
    message, seconds, _ = _refused(load_dataset, folder)
    assert seconds < 2
    assert (
        "demand.csv, row 1: expected tables of at most 1,000 columns "
        "(ReadLimits.max_columns = 1,000), but line 1 has 100,000 cells" in message
    )


def test_workbook_whose_shared_strings_lie_about_their_size(tmp_path):
    """An .xlsx whose 2 GB shared-strings part declares 1 MB: counted while inflating
    (before calamine, which would trust nothing and read it all), default limits."""
    path = bombs.strings_xlsx(tmp_path / "shop.xlsx", 2_000_000_000, declared=1_000_000)
    message, seconds, peak = _refused(load_dataset, path)
    assert seconds < 2 and peak < 20 * MiB
    assert (
        "shop.xlsx: expected files of the size the zip's directory states, but "
        "sharedStrings.xml inflates to more than the 976.6 KiB stated: a zip bomb?" in message
    )


def test_rows_zip_of_the_issue_is_refused_by_ratio(tmp_path):
    """0.5 MB expanding to 250 MB of demand rows."""
    path = bombs.rows_zip(tmp_path / "rows.zip", 250_000_000)
    message, seconds, _ = _refused(load_dataset, path)
    assert seconds < 2
    assert "rows.zip: expected files compressed at most 100 to 1" in message
    assert "but demand.csv expands 5" in message  # about 500 times


# --------------------------------------------------------------------------- each limit


def test_max_entries(tmp_path):
    entries = {f"notes{i}.txt": b"x" for i in range(6)}
    path = bombs.write_zip(tmp_path / "many.zip", entries)
    message, _, _ = _refused(load_dataset, path, limits=ReadLimits(max_entries=5))
    assert (
        "many.zip: expected an archive of at most 5 files "
        "(ReadLimits.max_entries = 5), but it holds 6" in message
    )


def test_max_entry_bytes_from_the_directory(tmp_path):
    path = bombs.rows_zip(tmp_path / "rows.zip", 4 * MiB)
    limits = ReadLimits(max_entry_bytes=MiB, **LOOSE)
    message, _, _ = _refused(load_dataset, path, limits=limits)
    assert (
        "rows.zip: expected files of at most 1 MiB uncompressed "
        "(ReadLimits.max_entry_bytes = 1,048,576), but demand.csv is 4 MiB" in message
    )


def test_max_total_bytes_over_a_folder(tmp_path):
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "items.csv").write_bytes(bombs.ITEMS)
    (folder / "demand.csv").write_bytes(b"date,sku,quantity\n" + bombs.ROW * 100)
    limits = ReadLimits(max_total_bytes=1000)
    message, _, _ = _refused(load_dataset, folder, limits=limits)
    assert (
        "demand.csv: expected at most 1,000 bytes uncompressed in all "
        "(ReadLimits.max_total_bytes = 1,000), but with this file the load comes to "
        "1.6 KiB" in message
    )


def test_max_ratio_spares_small_files(tmp_path):
    """A small repetitive file may compress beyond the ratio; a bigger one may not."""
    path = bombs.rows_zip(tmp_path / "rows.zip", 2 * MiB)  # compresses about 500 times
    ds = load_dataset(path, limits=ReadLimits(ratio_free_bytes=4 * MiB))
    assert len(ds.demand) == 1  # 131,072 identical rows, summed into one
    message, _, _ = _refused(load_dataset, path, limits=ReadLimits(ratio_free_bytes=MiB))
    assert "(ReadLimits.max_ratio = 100, for files over 1 MiB)" in message


def test_zip_entry_larger_than_declared_is_refused(tmp_path):
    """The directory says 1 KB; the data inflates to 8 MiB: zipfile stops at the
    declared size and the CRC tells, so nothing past 1 KB is decompressed."""
    path = bombs.write_zip(
        tmp_path / "liar.zip",
        {"items.csv": bombs.ITEMS, "demand.csv": [(bombs.ROW * 65_536, 8)]},
        declared={"demand.csv": 1000},
    )
    message, seconds, peak = _refused(load_dataset, path)
    assert seconds < 2 and peak < 16 * MiB  # zipfile inflates up to the 4 MiB head asked for
    assert "liar.zip: expected a readable zip archive (Bad CRC-32" in message


def test_long_line_in_a_zipped_csv_stops_decompression(tmp_path):
    """A 64 MiB one-line CSV in a zip is refused after its first megabytes."""
    path = bombs.write_zip(
        tmp_path / "shop.zip",
        {"items.csv": bombs.ITEMS, "demand.csv": [(b"date,sku,quantity\n", 1), (b"9" * MiB, 64)]},
    )
    limits = ReadLimits(max_line_bytes=1000, **LOOSE)
    message, _, peak = _refused(load_dataset, path, limits=limits)
    assert peak < 16 * MiB
    assert (
        "demand.csv, row 2: expected lines of at most 1,000 bytes "
        "(ReadLimits.max_line_bytes = 1,000), but line 2 is longer" in message
    )


def test_long_line_further_down_names_its_row(tmp_path):
    text = "date,sku,quantity\n2026-01-01,A1,1\n2026-01-02,A1," + "9" * 5000 + "\n"
    message, _, _ = _refused(
        load_uploaded,
        {"items.csv": bombs.ITEMS, "demand.csv": text.encode()},
        limits=ReadLimits(max_line_bytes=1000),
    )
    assert "demand.csv, row 3: expected lines of at most 1,000 bytes" in message
    assert "but line 3 is 5,014 bytes" in message


def test_csv_with_old_mac_line_ends_is_not_one_long_line():
    """Lines ended by CR alone (classic Mac OS) are lines: 1.3 MB of them still loads."""
    rows = "".join(f"2026-01-{i % 28 + 1:02d},A1,1\r" for i in range(80_000))
    data = ("date,sku,quantity\r" + rows).encode()
    assert len(data) > ReadLimits().max_line_bytes
    ds = load_uploaded({"items.csv": bombs.ITEMS, "demand.csv": data})
    assert ds.demand["quantity"].sum() == 80_000


def test_max_columns_counts_csv_cells_not_quoted_commas(tmp_path):
    header = ",".join(["date", "sku", "quantity", '"a, b, c, d, e"'])
    ok = f"{header}\n2026-01-01,A1,1,x\n".encode()
    ds = load_uploaded(
        {"items.csv": bombs.ITEMS, "demand.csv": ok}, limits=ReadLimits(max_columns=4)
    )
    assert len(ds.demand) == 1
    wide = b"date,sku,quantity,a,b\n2026-01-01,A1,1,x,y\n"
    message, _, _ = _refused(
        load_uploaded,
        {"items.csv": bombs.ITEMS, "demand.csv": wide},
        limits=ReadLimits(max_columns=4),
    )
    assert "(ReadLimits.max_columns = 4), but line 1 has 5 cells" in message


def test_workbook_part_over_max_entry_bytes(tmp_path):
    path = bombs.strings_xlsx(tmp_path / "shop.xlsx", 8 * MiB)
    limits = ReadLimits(max_entry_bytes=4 * MiB, **LOOSE)
    message, _, _ = _refused(load_dataset, path, limits=limits)
    assert (
        "shop.xlsx: expected files of at most 4 MiB uncompressed "
        "(ReadLimits.max_entry_bytes = 4,194,304), but sharedStrings.xml is 8" in message
    )


def test_parquet_limits_from_its_footer(tmp_path):
    frame = pd.DataFrame(
        {"date": pd.to_datetime(["2026-01-01"] * 1000), "sku": "A1", "quantity": 1.0}
    )
    buf = io.BytesIO()  # plain encoding, compressed: about 3 KB holding 22 KB of data
    frame.assign(extra=0).to_parquet(buf, index=False, use_dictionary=False, compression="zstd")
    assert len(buf.getvalue()) < 10_000
    files = {"items.csv": bombs.ITEMS, "demand.parquet": buf.getvalue()}
    message, _, _ = _refused(load_uploaded, files, limits=ReadLimits(max_columns=3))
    assert (
        "demand.parquet: expected tables of at most 3 columns "
        "(ReadLimits.max_columns = 3), but it has 4" in message
    )
    message, _, _ = _refused(load_uploaded, files, limits=ReadLimits(max_entry_bytes=10_000))
    assert "(ReadLimits.max_entry_bytes = 10,000), but its data is 31.2 KiB" in message


def test_parquet_text_repeated_in_every_row_is_refused_before_decoding(tmp_path):
    """One 1 KB string in 1,000 rows is a few KB of Parquet and 1 MB decoded."""
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "items.csv").write_bytes(bombs.ITEMS)
    bombs.text_parquet(folder / "demand.parquet", 1000)
    assert (folder / "demand.parquet").stat().st_size < 20_000
    message, _, _ = _refused(load_dataset, folder, limits=ReadLimits(max_entry_bytes=100_000))
    assert (
        "demand.parquet: expected files of at most 97.7 KiB uncompressed "
        "(ReadLimits.max_entry_bytes = 100,000), but its data is 1004.2 KiB" in message
    )
    ds = load_dataset(folder, limits=ReadLimits(max_entry_bytes=2_000_000))
    assert ds.demand["quantity"].sum() == 1000


def test_parquet_text_columns_still_load_as_text(tmp_path):
    """Text columns read as dictionaries (to measure them) come back as plain text."""
    items = pd.DataFrame(
        {"sku": ["A1", "B2"], "inventory_type": "finished_good", "unit_cost": [1.0, 2.0]}
    )
    items["name"] = ["Candle", "Soap"]
    buf = io.BytesIO()
    items.to_parquet(buf, index=False)
    ds = load_uploaded(
        {"items.parquet": buf.getvalue(), "demand.csv": b"date,sku,quantity\n2026-01-01,A1,1\n"}
    )
    assert list(ds.items["name"]) == ["Candle", "Soap"]
    assert str(ds.items["name"].dtype) in ("str", "string", "object")


# --------------------------------------------------------------------------- still loads


def test_sample_dataset_zip_and_workbook_load_with_default_limits(tmp_path):
    sample = ROOT / "sample_data"
    with zipfile.ZipFile(tmp_path / "shop.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(sample.glob("*.csv")):
            zf.write(f, f"shop/{f.name}")
    ds = load_dataset(tmp_path / "shop.zip")
    assert len(ds.items) == 250 and len(ds.demand) > 10_000
    shutil.copytree(sample, tmp_path / "folder")
    assert len(load_dataset(tmp_path / "folder").demand) == len(ds.demand)


# --------------------------------------------------------------------------- ReadLimits


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_entries": 0}, r"ReadLimits.max_entries must be a whole number > 0; got 0"),
        ({"max_ratio": -1.0}, r"ReadLimits.max_ratio must be a number > 0; got -1.0"),
        ({"max_line_bytes": 1.5}, r"ReadLimits.max_line_bytes must be a whole number > 0"),
        ({"max_columns": "10"}, r"ReadLimits.max_columns must be a number > 0; got '10'"),
    ],
)
def test_read_limits_refuse_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ReadLimits(**kwargs)


def test_read_limits_from_the_environment(monkeypatch, tmp_path):
    env = {"WORKBENCH_READ_LIMITS": "max_columns=4, max_entry_bytes=1_000"}
    assert ReadLimits.from_env(env) == ReadLimits(max_columns=4, max_entry_bytes=1000)
    assert ReadLimits.from_env({}) == ReadLimits()
    with pytest.raises(ValueError, match=r"names among .*; got 'max_rows=3'"):
        ReadLimits.from_env({"WORKBENCH_READ_LIMITS": "max_rows=3"})
    with pytest.raises(ValueError, match="max_ratio must be a number > 0; got 'lots'"):
        ReadLimits.from_env({"WORKBENCH_READ_LIMITS": "max_ratio=lots"})
    # the dashboard's upload passes no limits: the environment's apply
    monkeypatch.setenv("WORKBENCH_READ_LIMITS", "max_columns=4")
    wide = b"date,sku,quantity,a,b\n2026-01-01,A1,1,x,y\n"
    message, _, _ = _refused(load_uploaded, {"items.csv": bombs.ITEMS, "demand.csv": wide})
    assert "(ReadLimits.max_columns = 4)" in message


# --------------------------------------------------------------------------- the dashboard


def test_dashboard_upload_of_a_bomb_shows_the_limit_and_keeps_the_data(tmp_path):
    """The Data tab's upload (wb.load_uploaded with no limits): the 2 GB NUL zip is
    refused at once, the error table names the limit, the data in use stays."""
    from workbench.ui import DataPanel

    shipped = load_dataset(ROOT / "sample_data")
    panel = DataPanel(shipped)
    bomb = bombs.nul_zip(tmp_path / "nul.zip", 2_000_000_000).read_bytes()
    t = time.perf_counter()
    assert panel.load_files({"nul.zip": bomb}) is False
    assert time.perf_counter() - t < 2
    assert panel.dataset is shipped
    assert isinstance(panel.error, DataError)
    assert "ReadLimits.max_entry_bytes = 1,073,741,824" in panel.message.value
    assert "nul.zip" in panel.message.value and "Traceback" not in panel.message.value
