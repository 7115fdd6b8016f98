"""Reading survey tables and writing outputs atomically.

Survey exports arrive as CSV (``,`` or ``;`` separated; UTF-8, UTF-8 with BOM, or cp1252 as Excel writes
it) or XLSX. Every reader returns text columns as ``str`` with empty cells as ``""``, so an empty answer
stays an (uncoded) answer instead of becoming NaN. Row numbers in messages are spreadsheet rows: the header
is row 1, the first answer row 2.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd

from coder.errors import CoderError

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_SEPARATORS = (";", ",", "\t")


def spreadsheet_row(index: int) -> int:
    """The spreadsheet row of the ``index``-th data row (0-based): the header is row 1."""
    return index + 2


def decode_bytes(data: bytes) -> str:
    """Decode a text export: UTF-8 (with or without BOM), else cp1252 as Excel on Windows writes it.

    >>> decode_bytes("bolig;ansvar".encode("cp1252")), decode_bytes(b"\\xef\\xbb\\xbfid")
    ('bolig;ansvar', 'id')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 decodes everything, so fall back to it last.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def sniff_separator(text: str) -> str:
    """The field separator of a CSV text: the most frequent of ``;``, ``,`` and tab in its header line."""
    header = text.split("\n", 1)[0]
    counts = {sep: _count_outside_quotes(header, sep) for sep in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, sep: str) -> int:
    quoted, count = False, 0
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == sep and not quoted:
            count += 1
    return count


def read_table(path: str | os.PathLike[str], *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX file into a DataFrame of strings (empty cells as ``""``).

    Column names are stripped of surrounding white space. Raises :class:`CoderError` for a missing or
    unreadable file.
    """
    path = Path(path)
    if not path.exists():
        raise CoderError("file not found", file=path)
    if path.is_dir():
        raise CoderError("expected a file, found a directory", file=path)
    frame = _read_excel(path, sheet) if path.suffix.lower() in EXCEL_SUFFIXES else _read_csv(path)
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    text = decode_bytes(path.read_bytes())
    if not text.strip():
        raise CoderError("the file is empty", file=path)
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=sniff_separator(text),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, csv.Error, ValueError) as error:
        raise CoderError(f"cannot parse CSV: {str(error).strip()}", file=path) from None


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object)
    except ValueError as error:  # unknown sheet, not a workbook
        raise CoderError(f"cannot read workbook: {error}", file=path) from None
    except Exception as error:  # openpyxl raises zipfile/KeyError/InvalidFileException for broken files
        raise CoderError(f"cannot read workbook ({type(error).__name__})", file=path) from None
    return frame.map(_cell_text)


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def require_columns(frame: pd.DataFrame, columns: Sequence[str], path: str | os.PathLike[str]) -> None:
    """Raise a :class:`CoderError` naming the first of ``columns`` that ``frame`` lacks."""
    for column in columns:
        if column not in frame.columns:
            available = ", ".join(map(str, frame.columns))
            raise CoderError(f"missing column (columns are: {available})", file=path, column=column)


def check_unique_ids(frame: pd.DataFrame, id_col: str, path: str | os.PathLike[str]) -> None:
    """Raise a :class:`CoderError` for empty or duplicate ids, naming the spreadsheet rows."""
    ids = frame[id_col].astype(str).str.strip()
    empty = [spreadsheet_row(i) for i, value in enumerate(ids) if not value]
    if empty:
        raise CoderError("empty id", file=path, row=_rows(empty), column=id_col)
    duplicated = ids[ids.duplicated(keep=False)]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        rows = [spreadsheet_row(i) for i, value in enumerate(ids) if value == first]
        raise CoderError(f"duplicate id '{first}'", file=path, row=_rows(rows), column=id_col)


def _rows(rows: list[int]) -> int | str:
    return rows[0] if len(rows) == 1 else ", ".join(map(str, rows))


def read_answers(
    path: str | os.PathLike[str],
    *,
    id_col: str = "id",
    text_col: str = "text",
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """Read one answer per row: a DataFrame with columns ``id``, ``text`` and any ``keep`` columns.

    Empty and white-space-only answers are kept (as uncoded answers). Ids must be present and unique.

    >>> answers = read_answers("examples/answers.csv")  # doctest: +SKIP
    >>> list(answers.columns)  # doctest: +SKIP
    ['id', 'text']
    """
    frame = read_table(path)
    require_columns(frame, [id_col, text_col, *keep], path)
    check_unique_ids(frame, id_col, path)
    answers = pd.DataFrame({"id": frame[id_col].astype(str).str.strip(), "text": frame[text_col].astype(str)})
    for column in keep:
        answers[column] = frame[column].astype(str)
    return answers.reset_index(drop=True)


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None
) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` and move it into place only when the block succeeds.

    A crash or an error inside the block leaves any earlier ``path`` untouched and no partial file.
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise CoderError("output directory does not exist", file=path.parent)
    binary = "b" in mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; an output gets the usual permissions
    try:
        with os.fdopen(
            fd, mode, encoding=None if binary else encoding, newline=None if binary else newline
        ) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write ``frame`` atomically as CSV (UTF-8), XLSX or JSON (records), chosen by ``fmt`` or suffix."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "csv").lower()
    if fmt == "csv":
        with atomic_write(path, newline="") as handle:
            frame.to_csv(handle, index=False)
    elif fmt in {"xlsx", "xlsm"}:
        with atomic_write(path, "wb") as handle:
            frame.to_excel(handle, index=False, engine="openpyxl")
    elif fmt == "json":
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        write_json(records, path)
    else:
        raise CoderError(f"unknown output format '{fmt}' (use csv, xlsx or json)", file=path)
    return path


def write_json(data: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``data`` atomically as pretty-printed UTF-8 JSON (æøå kept as they are)."""
    with atomic_write(path) as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return Path(path)
