"""Decompression bombs and runaway files against the loaders: time and memory to refuse.

Builds, in a temporary folder, the files of issue 16 ("Bounded uploads and files"):

1. ``rows.zip``: 0.5 MB expanding to 250 MB of demand rows,
2. ``nul.zip``: 2 MB of zip holding 2 GB of NUL bytes as ``demand.csv``,
3. ``big.zip``: 4 MB expanding to 2.2 GB of demand rows,
4. ``one_line/demand.csv``: a 1 GB CSV that is one line (read from a folder, and uploaded
   as bytes, where the 1 GB upload itself is not counted as extra),
5. ``strings.xlsx``: 7 MB of workbook whose shared-strings part is 2 GB (and
   ``strings.xlsx lies``: the same, its directory stating 1 MB),
6. ``wide/demand.csv``: a 100,000-column CSV,
7. ``parquet/demand.parquet``: 0.3 MB of Parquet whose text column repeats one 1 KB
   string in 2 million rows (2 GB once decoded; not in the issue, the same attack),

and loads each in a fresh Python process with the default :class:`workbench.ReadLimits`,
printing the wall time of the load, its peak resident memory over the memory in use just
before it (Linux VmHWM, reset before the call; elsewhere ``ru_maxrss``) and the first line
of the ``DataError``. Every bomb must be refused within 2 s and 200 MB. Run::

    .venv/bin/python benchmarks/bench_bombs.py
    .venv/bin/python benchmarks/bench_bombs.py --cases nul.zip wide

Figures (2 shared cores; wall seconds of the load, peak MB over the memory before it):

============================  =======  =======  ==========================================
case                          seconds  extra MB refused by
============================  =======  =======  ==========================================
rows.zip (0.5 MB -> 250 MB)   0.00     0        max_ratio (507 to 1), from the directory
nul.zip (2 MB -> 2 GB)        0.00     0        max_entry_bytes, from the directory
big.zip (4 MB -> 2.2 GB)      0.01     0        max_entry_bytes, from the directory
one_line (1 GB file)          0.18     14       max_line_bytes, from the first 4 MiB
one_line upload (1 GB bytes)  0.06     8        max_line_bytes, before decoding
strings.xlsx (2 GB part)      0.01     0        max_entry_bytes, from the directory
strings.xlsx lies (1 MB)      0.03     3        inflated past its stated size
text.parquet (0.3 MB -> 2 GB) 0.80     112      max_entry_bytes, texts sized before decoding
wide (100,000 columns)        0.21     14       max_columns, from the header line
============================  =======  =======  ==========================================

Before (the loaders without limits, 40 s timeout): rows.zip loaded in 30 s with 1.8 GB
over the baseline; wide and the one-line upload were still running at 40 s (issue 16:
253 s and 7.5 GB for rows.zip, 53 s and 4.4 GB for a NUL zip, killed past 6 GB).

The zips are written without compressing gigabytes: a chunk is deflated once, ended with a
full flush (which empties the compressor's history, so the next chunk deflates to the same
bytes), and repeated; the CRC-32 of the repeats is combined arithmetically. So a 2 GB bomb
takes a second to build, and tests can use the same builders (``tests/test_bounded_reads.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path

MB = 1_000_000

#: A demand row: 16 bytes, so 65,536 rows are exactly 1 MiB.
ROW = b"2026-01-01,A1,1\n"
ITEMS = b"sku,inventory_type,unit_cost\nA1,finished_good,1\n"

# --------------------------------------------------------------------------- CRC-32


def _gf2_times(mat: list[int], vec: int) -> int:
    out, i = 0, 0
    while vec:
        if vec & 1:
            out ^= mat[i]
        vec >>= 1
        i += 1
    return out


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A + B from crc32(A), crc32(B) and len(B) [bytes] (zlib's crc32_combine)."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _crc_repeated(chunk: bytes, times: int) -> int:
    """CRC-32 of ``chunk * times`` by doubling, without building it."""
    out, out_len = 0, 0
    unit, unit_len = zlib.crc32(chunk), len(chunk)
    while times:
        if times & 1:
            out, out_len = crc32_combine(out, unit, unit_len), out_len + unit_len
        unit, unit_len = crc32_combine(unit, unit, unit_len), unit_len * 2
        times >>= 1
    return out


# --------------------------------------------------------------------------- zip writer


def _deflate(pieces: Sequence[tuple[bytes, int]]) -> tuple[bytes, int, int]:
    """(raw deflate data, CRC-32, uncompressed size) of the pieces (bytes, repeats)."""
    data, crc, size = [], 0, 0
    for chunk, times in pieces:
        co = zlib.compressobj(9, zlib.DEFLATED, -15)
        block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
        data.append(block * times)
        crc = crc32_combine(crc, _crc_repeated(chunk, times), len(chunk) * times)
        size += len(chunk) * times
    data.append(zlib.compressobj(9, zlib.DEFLATED, -15).flush())  # the final empty block
    return b"".join(data), crc, size


def write_zip(
    path: Path,
    entries: dict[str, Sequence[tuple[bytes, int]] | bytes],
    declared: dict[str, int] | None = None,
) -> Path:
    """Write a zip of deflated entries, each bytes or pieces (bytes, repeats).

    ``declared`` (name -> size [bytes]) makes the directory lie about an entry's size.
    Sizes stay under 4 GiB (no zip64).
    """
    local, central = bytearray(), bytearray()
    for name, content in entries.items():
        pieces = [(content, 1)] if isinstance(content, bytes) else content
        data, crc, size = _deflate(pieces)
        size = (declared or {}).get(name, size)
        fixed = (
            (20).to_bytes(2, "little")
            + b"\x00\x00"  # flags
            + (8).to_bytes(2, "little")  # deflate
            + b"\x00\x00\x21\x00"  # 1980-01-01 00:00
            + crc.to_bytes(4, "little")
            + len(data).to_bytes(4, "little")
            + size.to_bytes(4, "little")
            + len(name.encode()).to_bytes(2, "little")
            + b"\x00\x00"
        )
        offset = len(local)
        local += b"PK\x03\x04" + fixed + name.encode() + data
        central += (
            b"PK\x01\x02"
            + (20).to_bytes(2, "little")
            + fixed
            + b"\x00\x00" * 3  # comment length, disk, internal attributes
            + b"\x00" * 4
            + offset.to_bytes(4, "little")
            + name.encode()
        )
    n = len(entries).to_bytes(2, "little")
    end = (
        b"PK\x05\x06\x00\x00\x00\x00"
        + n
        + n
        + len(central).to_bytes(4, "little")
        + len(local).to_bytes(4, "little")
        + b"\x00\x00"
    )
    path.write_bytes(bytes(local + central + end))
    return path


# --------------------------------------------------------------------------- the bombs


def rows_zip(path: Path, size: int) -> Path:
    """A dataset zip whose demand.csv is ``size`` bytes of identical demand rows."""
    chunk = ROW * 65_536
    body = [(b"date,sku,quantity\n", 1), (chunk, size // len(chunk))]
    return write_zip(path, {"items.csv": ITEMS, "demand.csv": body})


def nul_zip(path: Path, size: int) -> Path:
    """A zip whose demand.csv is ``size`` NUL bytes."""
    chunk = bytes(1 << 20)
    return write_zip(path, {"items.csv": ITEMS, "demand.csv": [(chunk, size // len(chunk))]})


def one_line_csv(path: Path, size: int) -> Path:
    """A CSV file of ``size`` bytes: a header and one line of digits, no newline."""
    head = b"date,sku,quantity\n"
    chunk = b"1234567890" * (1 << 16)
    with open(path, "wb") as f:
        f.write(head)
        for _ in range((size - len(head)) // len(chunk)):
            f.write(chunk)
    return path


def wide_csv(path: Path, columns: int) -> Path:
    """A CSV with ``columns`` columns: the required ones, then col4, col5, ..."""
    names = ["date", "sku", "quantity"] + [f"col{i}" for i in range(4, columns + 1)]
    values = ["2026-01-01", "A1", "1"] + ["0"] * (columns - 3)
    path.write_text(",".join(names) + "\n" + ",".join(values) + "\n")
    return path


def text_parquet(path: Path, rows: int, width: int = 1000) -> Path:
    """A demand.parquet of ``rows`` rows whose ``note`` column repeats one ``width``-byte
    string: Parquet stores it once (a few hundred KB on disk), read plainly it is
    ``rows * width`` bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    step = min(rows, 100_000)
    note = pa.array(["x" * width]).take(pa.array([0] * step))
    part = pa.table(
        {
            "date": pa.array([0] * step, pa.int64()).cast(pa.timestamp("us")),
            "sku": pa.array(["A1"] * step),
            "quantity": pa.array([1.0] * step),
            "note": note,
        }
    )
    with pq.ParquetWriter(path, part.schema) as writer:
        for _ in range(rows // step):
            writer.write_table(part, row_group_size=rows)
    return path


_XLSX_PARTS = {
    "[Content_Types].xml": (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" '
        b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="demand" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
    "xl/worksheets/sheet1.xml": (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    ),
}


def strings_xlsx(path: Path, size: int, declared: int | None = None) -> Path:
    """A workbook whose xl/sharedStrings.xml is about ``size`` bytes of repeated strings
    (``declared``: the size its directory states instead)."""
    item = b"<si><t>" + b"x" * 1000 + b"</t></si>"
    chunk = item * ((1 << 20) // len(item))
    head = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    strings = [(head, 1), (chunk, max(size // len(chunk), 1)), (b"</sst>", 1)]
    entries: dict = dict(_XLSX_PARTS)
    entries["xl/sharedStrings.xml"] = strings
    lie = None if declared is None else {"xl/sharedStrings.xml": declared}
    return write_zip(path, entries, declared=lie)


# --------------------------------------------------------------------------- measuring

_CHILD = r"""
import json, resource, sys, time
import workbench as wb

def status(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None

kind, path = sys.argv[1], sys.argv[2]
upload = None
if kind == "upload":
    with open(path, "rb") as f:
        upload = {path.rsplit("/", 1)[-1]: f.read()}
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
except OSError:
    pass
base = status("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter()
try:
    if upload is not None:
        wb.load_uploaded(upload)
    else:
        wb.load_dataset(path)
    message = "loaded"
except wb.DataError as exc:
    message = str(exc).splitlines()[1].strip()
seconds = time.perf_counter() - t
peak = status("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "extra_mb": peak - base, "message": message}))
"""


def measure(kind: str, path: Path, timeout: float = 120) -> dict:
    """Load ``path`` (``kind`` "path" or "upload") in a fresh process: seconds, extra MB."""
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("WORKBENCH_READ_LIMITS", None)
    try:
        run = subprocess.run(
            [sys.executable, "-c", _CHILD, kind, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": float("inf"), "extra_mb": float("nan"), "message": "timed out"}
    if run.returncode != 0:
        return {"seconds": float("nan"), "extra_mb": float("nan"), "message": run.stderr[-300:]}
    return json.loads(run.stdout.strip().splitlines()[-1])


CASES = {
    "rows.zip": lambda d: ("path", rows_zip(d / "rows.zip", 250 * MB)),
    "nul.zip": lambda d: ("path", nul_zip(d / "nul.zip", 2000 * MB)),
    "big.zip": lambda d: ("path", rows_zip(d / "big.zip", 2200 * MB)),
    "one_line": lambda d: ("path", _folder(d / "one_line", one_line_csv, 1000 * MB)),
    "one_line upload": lambda d: ("upload", one_line_csv(d / "demand.csv", 1000 * MB)),
    "strings.xlsx": lambda d: ("path", strings_xlsx(d / "strings.xlsx", 2000 * MB)),
    "strings.xlsx lies": lambda d: (
        "path",
        strings_xlsx(d / "lies.xlsx", 2000 * MB, declared=MB),
    ),
    "text.parquet": lambda d: ("path", _folder(d / "parquet", text_parquet, 2_000_000)),
    "wide": lambda d: ("path", _folder(d / "wide", wide_csv, 100_000)),
}


def _folder(folder: Path, build, arg) -> Path:
    folder.mkdir()
    (folder / "items.csv").write_bytes(ITEMS)
    name = "demand.parquet" if build is text_parquet else "demand.csv"
    build(folder / name, arg)
    return folder


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    args = parser.parse_args(argv)
    print(f"{'case':<16} {'file MB':>8} {'seconds':>8} {'extra MB':>9}  message")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases:
            kind, path = CASES[name](Path(tmp))
            size = sum(p.stat().st_size for p in ([path] if path.is_file() else path.iterdir()))
            got = measure(kind, path)
            print(
                f"{name:<16} {size / MB:>8.1f} {got['seconds']:>8.2f} {got['extra_mb']:>9.1f}"
                f"  {got['message'][:150]}",
                flush=True,
            )
            if path.is_file():
                path.unlink()


if __name__ == "__main__":
    main()
