"""Reading survey tables and writing outputs atomically.

Survey exports arrive as CSV (``,`` or ``;`` separated; UTF-8, UTF-8 with BOM, or cp1252 as Excel writes
it) or XLSX. Every reader returns text columns as ``str`` with empty cells as ``""``, so an empty answer
stays an (uncoded) answer instead of becoming NaN. Row numbers in messages are spreadsheet rows: the header
is row 1, the first answer row 2.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import itertools
import json
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
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
    r"""Decode a text export: UTF-8 (with or without BOM), else cp1252 as Excel on Windows writes it.

    A UTF-8 file with a few stray cp1252 bytes (a dash pasted from Word) keeps its UTF-8 letters; only the
    stray bytes are read as cp1252.

    >>> decode_bytes("bolig;ansvar".encode("cp1252")), decode_bytes(b"\xef\xbb\xbfid")
    ('bolig;ansvar', 'id')
    >>> decode_bytes("møte ".encode() + b"\x96 ok")
    'møte – ok'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(data):  # mostly UTF-8: repair the stray bytes only
        return data.decode("utf-8", errors="coder-cp1252")
    # cp1252 leaves five bytes undefined; latin-1 decodes everything, so fall back to it last.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _stray_bytes_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    stray = error.object[error.start : error.end]
    return stray.decode("cp1252", errors="replace"), error.end


codecs.register_error("coder-cp1252", _stray_bytes_as_cp1252)


def sniff_separator(text: str) -> str:
    r"""The field separator of a CSV text: ``;``, ``,`` or tab, whichever splits the first rows into the same
    number of fields (more than one); ``;`` wins a tie, as Excel in Norwegian writes it.

    >>> sniff_separator('id;Hva er styrkene, svakhetene, og mulighetene?\n1;Små forhold, kort vei')
    ';'
    >>> sniff_separator('id,text\n1,"a; b"')
    ','
    """
    sample = text[:65536]

    def score(separator: str) -> tuple[bool, float, int]:
        reader = csv.reader(io.StringIO(sample), delimiter=separator)
        rows = [row for row in itertools.islice(reader, 20) if row]
        if not rows:
            return (False, 0.0, 0)
        width = len(rows[0])
        consistent = sum(len(row) == width for row in rows) / len(rows)
        return (width > 1, consistent, -_SEPARATORS.index(separator))

    return max(_SEPARATORS, key=score)


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
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        frame = _read_excel(path, sheet)
    elif suffix == ".json":
        frame = _read_json(path)
    else:
        frame = _read_csv(path)
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


def _read_json(path: Path) -> pd.DataFrame:
    """A JSON list of records, as ``write_table`` writes it (``coder suggest --format json``)."""
    try:
        records = json.loads(decode_bytes(path.read_bytes()))
    except json.JSONDecodeError as error:
        raise CoderError(f"cannot parse JSON: {error.msg}", file=path, line=error.lineno) from None
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise CoderError("expected a JSON list of records (objects)", file=path)
    return pd.DataFrame.from_records(records).map(_cell_text) if records else pd.DataFrame()


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
    if frame.empty:
        raise CoderError("no answers (the file has a header only)", file=path)
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
    if path.is_dir():
        raise CoderError("the output is a directory; give a file name", file=path)
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


TABLE_FORMATS = ("csv", "xlsx", "json")


def output_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """The table format of an output (``fmt``, else the file suffix, else csv); checked before any work.

    >>> output_format("codes.XLSX"), output_format("codes.txt", "json")
    ('xlsx', 'json')
    """
    chosen = (fmt or Path(path).suffix.lstrip(".") or "csv").lower()
    chosen = "xlsx" if chosen == "xlsm" else chosen
    if chosen not in TABLE_FORMATS:
        raise CoderError(f"unknown output format '{chosen}' (use csv, xlsx or json)", file=path)
    return chosen


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write ``frame`` atomically as CSV (UTF-8), XLSX or JSON (records), chosen by ``fmt`` or suffix."""
    path = Path(path)
    fmt = output_format(path, fmt)
    if fmt == "csv":
        with atomic_write(path, newline="") as handle:
            frame.to_csv(handle, index=False)
    elif fmt == "xlsx":
        write_excel(path, {"data": frame})
    else:
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        write_json(records, path)
    return path


def write_excel(
    path: str | os.PathLike[str], sheets: dict[str, pd.DataFrame], *, created: datetime | None = None
) -> Path:
    """Write DataFrames as the sheets of one workbook, atomically.

    Text is stored as text: an answer that starts with ``=`` stays words, never becomes a formula that
    Excel would evaluate (respondents' free text must not run in the researcher's spreadsheet).
    """
    with atomic_write(path, "wb") as handle, pd.ExcelWriter(handle, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
        for sheet in writer.book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"
        if created is not None:  # a workbook's own dates otherwise make every run's file differ
            writer.book.properties.created = writer.book.properties.modified = created
            writer.book.properties.creator = "coder"
    return Path(path)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file's bytes, for provenance."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def provenance(inputs: Sequence[str | os.PathLike[str]] = (), **settings: Any) -> dict[str, Any]:
    """What made an output: coder's version, the time, each input file with its sha256, and the settings."""
    from coder import __version__

    return {
        "tool": f"coder {__version__}",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": [{"file": str(path), "sha256": file_sha256(path)} for path in inputs],
        "settings": settings,
    }


def write_with_provenance(
    frame: pd.DataFrame, path: str | os.PathLike[str], record: dict[str, Any], fmt: str | None = None
) -> tuple[Path, Path]:
    """Write a table and, beside it, ``<name>.provenance.json`` saying how it was made."""
    table = write_table(frame, path, fmt)
    return table, write_json(record, Path(f"{table}.provenance.json"))


def write_json(data: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``data`` atomically as pretty-printed UTF-8 JSON (æøå kept as they are)."""
    with atomic_write(path) as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return Path(path)
