"""What the dashboard says its data is: never a path on the server.

A dataset's ``source`` is a description for the log and the ``repr``: a folder or file
path (``load_dataset``), ``"upload: a.csv, b.csv"`` (``load_uploaded``) or
``"sample business (seed=...)"`` (``sample_dataset``). A page someone else opens must
not learn where the server keeps its files, so the dashboard shows :func:`source_label`.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

__all__ = ["SAMPLE_LABEL", "source_label"]

#: What the dashboard calls the shipped (or generated) sample business.
SAMPLE_LABEL = "Sample business (Hearth & Lather)"


def _sample_dir() -> Path:
    return Path(__file__).resolve().parents[3] / "sample_data"


def _name(part: str) -> str:
    """The last component of a path written with either kind of separator."""
    part = part.strip()
    name = PureWindowsPath(part).name if "\\" in part else PurePosixPath(part).name
    return name or part.strip("/\\")


def source_label(source: object) -> str:
    """A dataset's source as the dashboard shows it: the sample business, or the file
    names, without any folder.

    Parameters
    ----------
    source : str
        ``Dataset.source``.

    Returns
    -------
    str
        :data:`SAMPLE_LABEL` for the sample business (generated, or loaded from the
        shipped ``sample_data/``); ``"upload: a.csv, b.csv"`` for uploaded files (each
        file's name only); otherwise the last component of the path, e.g. ``shop.xlsx``.

    Examples
    --------
    >>> source_label("sample business (seed=7)")
    'Sample business (Hearth & Lather)'
    >>> source_label("/srv/shops/acme/2024/shop.xlsx")
    'shop.xlsx'
    >>> source_label("upload: items.csv, C:\\\\Users\\\\ann\\\\demand.csv")
    'upload: items.csv, demand.csv'
    """
    text = str(source or "").strip()
    if text.lower().startswith("sample business"):
        return SAMPLE_LABEL
    if text.startswith("upload:"):
        names = [_name(n) for n in text[len("upload:") :].split(",") if n.strip()]
        return "upload: " + ", ".join(names)
    if not text:
        return "(unnamed data)"
    try:
        if Path(text).resolve() == _sample_dir():
            return SAMPLE_LABEL
    except (OSError, ValueError):
        pass
    return _name(text)
