"""Reading survey tables and writing outputs atomically.

Survey exports arrive as CSV (``,`` or ``;`` separated; UTF-8, UTF-8 with BOM, or cp1252 as Excel writes
it) or XLSX. Every reader returns text columns as ``str`` with empty cells as ``""``, so an empty answer
stays an (uncoded) answer instead of becoming NaN. Row numbers in messages are spreadsheet rows: the header
is row 1, the first answer row 2.
"""

from __future__ import annotations

import codecs
import collections
import contextlib
import csv
import hashlib
import io
import itertools
import json
import math
import os
import re
import shutil
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pandas as pd
import yaml

from coder.errors import CoderError

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_SEPARATORS = (";", ",", "\t")
# Excel's own first line naming the separator («sep=;»): Excel reads and hides it, so coder does too.
_EXCEL_SEPARATOR_LINE = re.compile(r"\A[\"']?sep=([;,\t|])[\"']?[;,\t ]*(\r?\n|\Z)", re.IGNORECASE)


def spreadsheet_row(index: Any) -> int:
    """The spreadsheet row of the data row labelled ``index`` in a table :func:`read_table` read (its labels
    count every data row from 0, the empty rows it left out too): the header is row 1."""
    return int(index) + 2


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_bytes(data: bytes) -> str:
    r"""Decode a text export: UTF-8 (with or without BOM), UTF-16 with its BOM (Excel's «Unicode text»), else
    cp1252 as Excel on Windows writes it.

    A UTF-8 file with a few stray cp1252 bytes (a dash pasted from Word) keeps its UTF-8 letters; only the
    stray bytes are read as cp1252.

    >>> decode_bytes("bolig;ansvar".encode("cp1252")), decode_bytes(b"\xef\xbb\xbfid")
    ('bolig;ansvar', 'id')
    >>> decode_bytes("møte ".encode() + b"\x96 ok")
    'møte – ok'
    """
    if data.startswith(_UTF16_BOMS):  # Excel's «Unicode text» (tab-separated)
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _TELLING_UTF8.search(data):  # UTF-8 with a few stray bytes (a dash pasted from Word): repair those
        return data.decode("utf-8", errors="coder-cp1252")
    # cp1252 leaves five bytes undefined; latin-1 decodes everything, so fall back to it last.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# A UTF-8 character that Norwegian text holds and cp1252 text next to never makes by chance: Latin-1 letters
# and signs (æøå, é, «», a no-break space: \xc2 or \xc3 first), general punctuation (– — ’ “ ” …), € and ™,
# symbols and emoji. Not the others: in cp1252 a capital letter before a punctuation mark is valid UTF-8
# («FÅ…» is \xc5\x85, «Ņ»), and so is a small letter before two («må…»» is \xe5\x85\xbb, a CJK character).
_TELLING_UTF8 = re.compile(
    rb"[\xc2\xc3][\x80-\xbf]"
    rb"|\xe2(?:\x80[\x80-\xbf]|\x81[\x80-\xaf]|\x82\xac|\x84\xa2|[\x98-\x9e][\x80-\xbf])"
    rb"|\xf0\x9f[\x80-\xbf][\x80-\xbf]"
)


def _stray_bytes_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    stray = error.object[error.start : error.end]
    return stray.decode("cp1252", errors="replace"), error.end


codecs.register_error("coder-cp1252", _stray_bytes_as_cp1252)

_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def file_encoding(path: str | os.PathLike[str], limit: int | None = None) -> tuple[str, str]:
    """The encoding and error handler with which :func:`decode_bytes` would decode a file, found by reading
    it in blocks, so that a large export is never held whole (as bytes and as text) to be decoded.
    ``limit``: look at the first bytes only (enough to read the first rows).

    Returns ``(encoding, errors)`` for :func:`open` or ``pandas.read_csv(encoding=, encoding_errors=)``.
    """
    utf8 = codecs.getincrementaldecoder("utf-8")()
    valid_utf8, telling, undefined_in_cp1252 = True, False, False
    with Path(path).open("rb") as handle:
        if handle.read(2).startswith(_UTF16_BOMS):
            return "utf-16", "strict"
        handle.seek(0)
        while block := handle.read(1 << 20 if limit is None else limit):
            if valid_utf8:
                try:
                    utf8.decode(block)
                except UnicodeDecodeError:
                    valid_utf8 = False
            telling = telling or _TELLING_UTF8.search(block) is not None
            undefined_in_cp1252 = undefined_in_cp1252 or _CP1252_UNDEFINED.search(block) is not None
            if limit is not None:
                break
    if valid_utf8 and limit is None:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:  # cut off inside a character
            valid_utf8 = False
    if valid_utf8:
        return "utf-8-sig", "strict"
    if telling:  # mostly UTF-8: the stray bytes as cp1252
        return "utf-8-sig", "coder-cp1252"
    return ("latin-1" if undefined_in_cp1252 else "cp1252"), "strict"


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
        # newline="": the csv module's own line handling, so a lone \r (old Mac or an Excel cell) is no error
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=separator)
        try:
            rows = [row for row in itertools.islice(reader, 20) if row]
        except csv.Error:  # pandas reports what is wrong with the file, with its line
            return (False, 0.0, -_SEPARATORS.index(separator))
        if not rows:
            return (False, 0.0, 0)
        # The most common width, not the first row's: a title row above the header has one field.
        width = collections.Counter(len(row) for row in rows).most_common(1)[0][0]
        consistent = sum(len(row) == width for row in rows) / len(rows)
        return (width > 1, consistent, -_SEPARATORS.index(separator))

    return max(_SEPARATORS, key=score)


def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    columns: Sequence[str] | None = None,
    rows: int | None = None,
) -> pd.DataFrame:
    """Read a CSV or XLSX file into a DataFrame of strings (empty cells as ``""``).

    Column names are stripped of surrounding white space. ``columns``: only these are kept (a CSV file's
    other columns are not even read), those of them the file has; ``rows``: only the first rows. Raises
    :class:`CoderError` for a missing or unreadable file.
    """
    path = Path(path)
    if not path.exists():
        raise CoderError("file not found", file=path)
    if path.is_dir():
        raise CoderError("expected a file, found a directory", file=path)
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES:
        _check_not_a_workbook(path)
    if suffix in EXCEL_SUFFIXES:
        frame = _read_excel(path, sheet)
    elif suffix == ".json":
        frame = _read_json(path)
    else:
        frame = _read_csv(path, columns, rows)
    # Composed letters (NFC), as the manifest and codebook are read: a Mac's export may write «å» as «a» and
    # a ring, which looks the same and compares unequal («unknown person 'Åse'»).
    names = [unicodedata.normalize("NFC", str(column).strip()) for column in frame.columns]
    _check_header_names(names, path)
    frame.columns = names
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(_nfc)
    frame = _without_empty_rows(frame)
    if columns is not None:
        frame = frame[[column for column in frame.columns if column in set(columns)]]
    if rows is not None:
        frame = frame.head(rows)
    _check_header(frame, path)
    _check_decoded_once(frame, path, cells=rows is None)  # a first look at a few rows: the header alone
    return frame


# UTF-8's æøåÆØÅ, é and «» read as cp1252 (or Latin-1) and saved again: what Excel makes of a UTF-8 export
# opened by a double click and saved as «CSV UTF-8». No Norwegian text holds these pairs.
_DECODED_TWICE = re.compile("Ã[¥¦¸˜…†©¨¤¶¼\x85\x86\x98]|Â[«»]")


def _check_decoded_once(frame: pd.DataFrame, path: Path, *, cells: bool = True) -> None:
    """A CoderError when the header or the texts hold UTF-8 letters decoded twice («stÃ¸rste» for
    «største»), as cells with them outnumber cells with a letter æøå as it should be: read on, every answer
    with æøå would be coded as garbled words. Fewer are cells that say so (an answer about the form itself):
    a warning names them. ``cells``: the texts too, not only the header.

    >>> _check_decoded_once(pd.DataFrame({"svar": ["største", "stÃ¸rste", "pÃ¥"]}), Path("svar.csv"))
    Traceback (most recent call last):
    coder.errors.CoderError: svar.csv, row 3, column 'svar': the text looks decoded twice («Ã¸» where one ...
    """
    message = (
        "the text looks decoded twice («{}» where one letter belongs, as «ø»): the file was opened as "
        "ANSI/cp1252 and saved again as UTF-8 (Excel does so); take the original export"
    )
    for column in frame.columns:
        if found := _DECODED_TWICE.search(str(column)):
            raise CoderError(message.format(found.group()), file=path, row=1, column=str(column))
    if not cells:
        return
    garbled: list[tuple[int, str, str]] = []  # (row, column, letters) of each cell decoded twice
    texts = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    for column in texts:
        values = frame[column].astype(str)
        # the plain search first: a 200 MB export is read in a second more, not five
        suspect = values.str.contains("Ã", regex=False) | values.str.contains("Â", regex=False)
        if suspect.any():
            twice = suspect & values.str.contains(_DECODED_TWICE)
            garbled += [
                (spreadsheet_row(index), str(column), _DECODED_TWICE.search(values.loc[index]).group())
                for index in twice.index[twice.to_numpy()]
            ]
    if not garbled:
        return  # the common case: the healthy letters need no count
    healthy = 0  # cells with æøå as they should be
    for column in texts:
        values = frame[column].astype(str)
        healthy += int((values.str.contains(_NORWEGIAN_LETTER) & ~values.str.contains(_DECODED_TWICE)).sum())
    row, column, letters = garbled[0]
    if len(garbled) > healthy:
        raise CoderError(message.format(letters), file=path, row=row, column=column)
    rows = f"{_rows([r for r, _, _ in garbled[:5]])}{', …' if len(garbled) > 5 else ''}"
    warnings.warn(
        f"{path}, row{'s' * (len(garbled) > 1)} {rows}, column '{column}': «{letters}» looks like a letter "
        f"decoded twice, though {healthy} other cells have æøå as they should be: check that cell",
        stacklevel=4,
    )


_NORWEGIAN_LETTER = re.compile("[æøåÆØÅ]")


#: The first bytes of an OLE2 compound file: an Excel 97–2003 workbook, or an encrypted .xlsx.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0"


def _check_not_a_workbook(path: Path) -> None:
    """A CoderError for a workbook under another suffix (read as text it gives a baffling parse error)."""
    try:
        with path.open("rb") as handle:
            start = handle.read(8)
    except OSError as error:
        raise CoderError(f"cannot read the file: {error.strerror or error}", file=path) from None
    if start.startswith(b"PK\x03\x04"):
        raise CoderError(
            "this is a workbook or another zip file, not a CSV: save it as .xlsx (Excel) or as CSV", file=path
        )
    if start.startswith(OLE2_SIGNATURE):
        raise CoderError("this is an old Excel workbook (.xls): save it as .xlsx or as CSV", file=path)


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) and not value.isascii() else value


def _without_empty_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the rows whose every cell is empty (blank lines, rows Excel exports because they
    were formatted, ``;;;;``); the other rows keep their labels, so :func:`spreadsheet_row` still names
    their rows in the spreadsheet."""
    if not len(frame.columns) or not len(frame):
        return frame
    filled = pd.Series(False, index=frame.index)
    for column in frame.columns:  # a column at a time: the table is never copied whole
        filled |= frame[column].astype(str).str.strip() != ""
    return frame if filled.all() else frame[filled]


_UNNAMED = re.compile(r"^Unnamed: \d+(?:_level_\d+)?$")  # pandas' name for an empty header cell
_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")


def _check_header(frame: pd.DataFrame, path: Path) -> None:
    """A CoderError when row 1 is not one header row: a title row above it, header cells merged across
    columns in Excel (they leave empty cells), or a second header row, below it or pasted further down."""
    columns = [str(column) for column in frame.columns]
    empty = [n for n, column in enumerate(columns) if _UNNAMED.match(column)]
    if len(columns) < 2:
        return
    title_row = len(empty) == len(columns) - 1 and 0 not in empty
    if empty and (title_row or 2 * len(empty) > len(columns)):
        raise CoderError(
            f"row 1 is not a header: {len(empty)} of its {len(columns)} cells are empty (a title row above "
            "the header, or header cells merged in Excel?); the header must be one row, row 1, with a "
            "name in every column",
            file=path,
            row=1,
        )
    if empty and len(frame):
        first = [str(value).strip() for value in frame.iloc[0]]
        if all(first) and len(set(first)) == len(first) and not any(_NUMBER.match(v) for v in first):
            raise CoderError(
                f"rows 1 and 2 both look like header rows and row 1 has {len(empty)} empty cell(s) (header "
                "cells merged in Excel?); keep one header row, with a name in every column",
                file=path,
                row="1, 2",
            )
    named = [column for n, column in enumerate(frame.columns) if n not in empty]
    if len(named) >= 2 and len(frame):
        repeats = pd.Series(True, index=frame.index)
        for column in named:  # one column at a time: no copy of the whole table
            repeats &= frame[column].astype(str).str.strip() == str(column)
        if repeats.any():
            row = spreadsheet_row(repeats.index[repeats.to_numpy().argmax()])
            raise CoderError(
                "this row repeats the header (a second header row, or two exports pasted together?)",
                file=path,
                row=row,
            )


def _read_csv(path: Path, columns: Sequence[str] | None = None, rows: int | None = None) -> pd.DataFrame:
    # pandas reads the file itself, in blocks: the texts are held once, as the table's strings, not also as
    # the file's bytes and its decoded text (a 200 MB export would otherwise take four times its size).
    encoding, errors = file_encoding(path, limit=None if rows is None else 1 << 20)
    with path.open(encoding=encoding, errors=errors, newline="") as handle:
        sample = handle.read(65536)
    separator, skip = None, 0
    if hint := _EXCEL_SEPARATOR_LINE.match(sample):  # Excel hides this line: rows count from the one below
        separator, skip = hint.group(1), 1
        sample = sample[hint.end() :]
    if not sample.strip():
        raise CoderError("the file is empty" + (" but for Excel's «sep=» line" if skip else ""), file=path)
    if not sample.splitlines()[0].strip():  # pandas: «No columns to parse from file»
        raise CoderError("the first row is empty: the header belongs on the first row", file=path, row=1)
    separator = separator or sniff_separator(sample)
    _check_first_row_width(sample, separator, path)
    with contextlib.suppress(csv.Error):  # pandas renames a second «tekst» «tekst.1»: read the header
        header = next(csv.reader(io.StringIO(sample, newline=""), delimiter=separator), [])
        _check_header_names([cell.strip() for cell in header if cell.strip()], path)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(
                path,
                sep=separator,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,  # a blank line is a row in the spreadsheet: row numbers count it
                encoding=encoding,
                encoding_errors=errors,
                usecols=None if columns is None else (lambda column: str(column).strip() in set(columns)),
                nrows=rows,
                skiprows=skip,
                index_col=False,  # rows longer than the header (Excel's trailing separator) shift nothing
            )
    except (pd.errors.ParserError, csv.Error, ValueError) as error:
        if "fields in line" in str(error):  # pandas' «C error: Expected 2 fields in line 4, saw 3»
            _check_no_cells_beyond_the_header(path, encoding, errors, separator, skip, empty_too=True)
        if unclosed := re.search(r"EOF inside string starting at row (\d+)", str(error)):  # counted from 0
            raise CoderError(
                'a quote (") opens a text that is never closed: the rest of the file would be one cell',
                file=path,
                row=int(unclosed.group(1)) + 1 - skip,
            ) from None
        raise CoderError(f"cannot parse CSV: {str(error).strip()}", file=path) from None
    if any(issubclass(warning.category, pd.errors.ParserWarning) for warning in caught):
        _check_header_names([str(column).strip() for column in frame.columns], path)  # the header first
        _check_no_cells_beyond_the_header(path, encoding, errors, separator, skip)
    return frame


def _check_no_cells_beyond_the_header(
    path: Path, encoding: str, errors: str, separator: str, skip: int = 0, *, empty_too: bool = False
) -> None:
    """A CoderError at the first row with a filled cell beyond the header's columns, which pandas drops:
    a text with the separator in it, unquoted. Empty cells there (a separator at the end of each row, as
    Excel writes it) are no loss, unless ``empty_too`` (pandas could not read the file for them)."""
    shown = "a tab" if separator == "\t" else f"'{separator}'"
    first_wide = None
    with path.open(encoding=encoding, errors=errors, newline="") as handle:
        for _ in range(skip):
            handle.readline()
        reader = csv.reader(handle, delimiter=separator)
        width = len(next(reader, []))
        for number, row in enumerate(reader, start=2):
            if any(cell.strip() for cell in row[width:]):
                raise CoderError(
                    f"the row has {len(row)} fields and the header {width}: a text with {shown} "
                    "in it without quotes? Quote it or remove the extra fields",
                    file=path,
                    row=number,
                )
            if first_wide is None and len(row) > width:
                first_wide = number
    if empty_too and first_wide is not None:
        raise CoderError(
            "the row has more fields than the header, the extra ones empty: delete the columns right of the "
            "table and save the file again",
            file=path,
            row=first_wide,
        )


def _check_header_names(names: Sequence[str], path: Path) -> None:
    """A CoderError when the header names a column twice: which of the two is meant cannot be told."""
    twice = [name for name, count in collections.Counter(names).items() if count > 1]
    if twice:
        raise CoderError(
            f"the header names column '{twice[0]}' twice (or once with spaces around it); give each column "
            "its own name",
            file=path,
            row=1,
        )


def _check_first_row_width(text: str, separator: str, path: Path) -> None:
    """A CoderError when row 1 has fewer fields than the rows below it: a title above the header."""
    reader = csv.reader(io.StringIO(text[:65536], newline=""), delimiter=separator)
    try:
        rows = [row for row in itertools.islice(reader, 20) if any(cell.strip() for cell in row)]
    except csv.Error:
        return
    if len(rows) < 2:
        return
    width = collections.Counter(len(row) for row in rows[1:]).most_common(1)[0][0]
    filled = sum(1 for cell in rows[0] if cell.strip())
    if filled == 1 < width:
        raise CoderError(
            f"row 1 is not a header: it has one field and the rows below have {width} (a title row above "
            "the header?); the header must be row 1",
            file=path,
            row=1,
        )


def _read_json(path: Path) -> pd.DataFrame:
    """A JSON list of records, as ``write_table`` writes it (``coder suggest -o FILE.json``)."""
    try:
        records = json.loads(decode_bytes(path.read_bytes()))
    except json.JSONDecodeError as error:
        raise CoderError(f"cannot parse JSON: {error.msg}", file=path, line=error.lineno) from None
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise CoderError("expected a JSON list of records (objects)", file=path)
    return pd.DataFrame.from_records(records).map(_json_cell_text) if records else pd.DataFrame()


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_cell_text(value: Any) -> str:
    # JSON may escape half an emoji («\\ud83d»): no character, so it becomes U+FFFD, as a bad byte would.
    return _LONE_SURROGATE.sub("\ufffd", _cell_text(value))


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    if not zipfile.is_zipfile(path):  # an .xlsx is a zip archive; pandas: «format cannot be determined»
        with path.open("rb") as handle:
            ole = handle.read(4) == OLE2_SIGNATURE  # Excel 97–2003, and an encrypted .xlsx too
        raise CoderError(
            "an old .xls or a password-protected workbook: save it as .xlsx without a password, or as CSV"
            if ole
            else "not an Excel workbook, though named so: a CSV or text file renamed?",
            file=path,
        )
    if sheet is None:
        sheet = _only_sheet_with_data(path)
    try:
        # header=None: the header cells as they are. pandas would rename a second «tekst» «tekst.1», which
        # cannot be told from a real «Spørsmål 3.1» afterwards.
        frame = pd.read_excel(path, sheet_name=sheet, dtype=object, header=None)
    except ValueError as error:  # unknown sheet, not a workbook
        sheets = _sheet_names(path)
        if isinstance(sheet, str) and sheets and sheet not in sheets:
            listed = ", ".join(f"'{name}'" for name in sheets)
            raise CoderError(f"no sheet named '{sheet}' (the sheets are {listed})", file=path) from None
        raise CoderError(f"cannot read workbook: {error}", file=path) from None
    except Exception as error:  # openpyxl raises zipfile/KeyError/InvalidFileException for broken files
        raise CoderError(f"cannot read workbook ({type(error).__name__})", file=path) from None
    if frame.empty:  # no header either: «missing column (columns are: )» said nothing
        raise CoderError(
            f"sheet '{sheet}' is empty" if isinstance(sheet, str) else "the sheet is empty", file=path
        )
    header = [_cell_text(cell) for cell in frame.iloc[0]]
    frame = frame.iloc[1:].reset_index(drop=True).map(_cell_text)
    frame.columns = [name if name.strip() else f"Unnamed: {n}" for n, name in enumerate(header)]
    return frame


def _sheet_names(path: Path) -> list[str]:
    """The sheets of a workbook, in order; none when it cannot be read."""
    try:
        with pd.ExcelFile(path) as book:
            return [str(name) for name in book.sheet_names]
    except Exception:  # noqa: BLE001 - only for a message: the reading error itself is reported
        return []


def _only_sheet_with_data(path: Path) -> int:
    """The index of the one sheet of a workbook that holds data; a CoderError naming the sheets when
    several do (reading the first silently might code the wrong answers). Empty sheets (Excel's Ark2, Ark3)
    do not count."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # not a workbook: _read_excel has said so before
        return 0
    try:
        names = workbook.sheetnames
        with_data = [
            n
            for n, name in enumerate(names)
            if any(
                value not in (None, "")
                for row in workbook[name].iter_rows(max_row=50, values_only=True)
                for value in row
            )
        ]
    finally:
        workbook.close()
    if len(with_data) > 1:
        listed = ", ".join(f"'{names[n]}'" for n in with_data)
        raise CoderError(
            f"the workbook has {len(with_data)} sheets with data ({listed}) and coder reads one: keep only "
            "the sheet to read (or name it with 'sheet:' in a survey manifest)",
            file=path,
        )
    return with_data[0] if with_data else 0


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def require_columns(
    frame: pd.DataFrame, columns: Sequence[str], path: str | os.PathLike[str] | None = None
) -> None:
    """Raise a :class:`CoderError` naming the first of ``columns`` that ``frame`` lacks."""
    for column in columns:
        if column not in frame.columns:
            raise CoderError(missing_column_message(frame, column), file=path, column=column)


def missing_column_message(frame: pd.DataFrame, column: str, *, absent: str = "") -> str:
    """Why ``column`` is not in the header: listed columns, or where the header really is when a row below
    row 1 names it (a title row above the header, or merged header rows from Excel). ``absent``: what to
    do when the column is nowhere, not even in another case."""
    for index, values in frame.head(5).iterrows():
        if column in {str(value).strip() for value in values}:
            return (
                f"not in the header (row 1) but in row {spreadsheet_row(index)}: the header must be one row, "
                "row 1 (delete a title row above it, or merged header rows from Excel)"
            )
    listed = f"columns are: {', '.join(map(str, frame.columns))}"
    same = [str(c) for c in frame.columns if str(c).strip().casefold() == column.casefold()]
    if same:  # «ID,Text» from another tool: the names are matched as written
        # said so, a column one names (--text-col Lapp for «lapp») is named as written, a fixed one renamed
        fix = f"names are matched as written: rename it '{column}'"
        return f"missing column ({listed}; '{same[0]}' in another case? {fix})"
    return f"missing column ({listed}{'; ' + absent if absent else ''})"


def answer_ids(answers: pd.DataFrame, what: str = "the answers") -> list[str]:
    """The ``id`` column of a DataFrame given to the library, as texts; a CoderError for an empty or
    missing one (``NaN``: pandas keeps it through ``astype(str)``), naming its positions.

    >>> answer_ids(pd.DataFrame({"id": ["a1", 2]}))
    ['a1', '2']
    >>> answer_ids(pd.DataFrame({"id": ["a1", None]}))
    Traceback (most recent call last):
    coder.errors.CoderError: empty answer id in the answers (position 1)
    >>> answer_ids(pd.DataFrame({"id": ["a1", "a1"]}))
    Traceback (most recent call last):
    coder.errors.CoderError: duplicate answer id 'a1' in the answers (positions 0, 1)
    """
    if not isinstance(answers, pd.DataFrame) or "id" not in answers.columns:
        raise CoderError(f"{what} must be a table with a column 'id'")
    ids = answers["id"].fillna("").astype(str)

    def where(positions: list[int]) -> str:
        shown = ", ".join(map(str, positions[:5])) + ", …" * (len(positions) > 5)
        return f"position{'s' * (len(positions) > 1)} {shown}"

    empty = [i for i, value in enumerate(ids) if not value.strip()]
    if empty:
        raise CoderError(f"empty answer id in {what} ({where(empty)})")
    repeated = ids[ids.duplicated(keep=False)]
    if not repeated.empty:  # suggestions and decisions are keyed by id: two answers of one id would mix
        first = repeated.iloc[0]
        same = [i for i, value in enumerate(ids) if value == first]
        raise CoderError(f"duplicate answer id '{first}' in {what} ({where(same)})")
    return ids.tolist()


def _require_answer_columns(frame: pd.DataFrame, wanted: list[str], path: str | os.PathLike[str]) -> None:
    """:func:`require_columns` of an answers file, saying to add an id where the export has none (Google
    Forms: a time stamp is no id, two people answer within a second). Not for a file of codes, whose ids
    must be the answers'."""
    if wanted[0] not in frame.columns and wanted[1] in frame.columns:
        hint = f"no id exported? add a column '{wanted[0]}' numbering the rows"
        raise CoderError(missing_column_message(frame, wanted[0], absent=hint), file=path, column=wanted[0])
    require_columns(frame, wanted, path)


def check_unique_ids(frame: pd.DataFrame, id_col: str, path: str | os.PathLike[str]) -> None:
    """Raise a :class:`CoderError` for empty or duplicate ids, naming the spreadsheet rows."""
    raw = frame[id_col].fillna("").astype(str)
    ids = raw.str.strip()
    empty = [spreadsheet_row(i) for i, value in ids.items() if not value]
    if empty:
        raise CoderError("empty id", file=path, row=_rows(empty), column=id_col)
    # Ids that differ only in case or surrounding spaces are one id to a reader: two rows with it are a
    # duplicate, whichever spelling each has.
    keys = ids.str.casefold()
    duplicated = keys[keys.duplicated(keep=False)]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        labels = [i for i, value in keys.items() if value == first]
        rows = _rows([spreadsheet_row(i) for i in labels])
        spellings = list(dict.fromkeys(raw.loc[i] for i in labels))
        message = f"duplicate id '{ids.loc[labels[0]]}'"
        if len(spellings) > 1:
            differ = "case" if len({s.strip() for s in spellings}) > 1 else "surrounding spaces"
            shown = " and ".join(f"'{s}'" for s in spellings)
            message += f" ({shown} differ only in {differ})"
        raise CoderError(message, file=path, row=rows, column=id_col)


_ID_LABELS = {"id", "respondent", "respondent-id", "respondent id", "respondentid", "respondent_id",
              "svar-id", "løpenummer", "lnr", "nr"}  # fmt: skip
"""How survey tools label the id column in a row of labels (compared in lower case)."""


def _check_no_label_row(frame: pd.DataFrame, id_col: str, path: str | os.PathLike[str]) -> None:
    """A CoderError when the first row is labels: its id a word and every other id a number, and the id
    column's own name or a question («…?») in it. SurveyXact and Questback export the questions' labels as
    a second header row, which would be coded as an answer; a paper form typed in first («A-17») is no such
    row."""
    ids = frame[id_col].astype(str).str.strip()
    if len(ids) < 4 or _NUMBER.match(ids.iloc[0]) or not ids.iloc[1:].str.fullmatch(_NUMBER.pattern).all():
        return
    first = [str(value).strip().rstrip("*: ") for value in frame.iloc[0]]
    named = ids.iloc[0].casefold() in {id_col.casefold(), *_ID_LABELS}
    if named or any(value.endswith("?") for value in first):
        raise CoderError(
            f"id '{ids.iloc[0]}' is a word and every other id a number: a second header row (the questions' "
            "labels, as SurveyXact and Questback export them)? delete the row",
            file=path,
            row=spreadsheet_row(ids.index[0]),
            column=id_col,
        )


def _warn_of_numbers_only(texts: pd.Series, text_col: str, path: str | os.PathLike[str]) -> None:
    """A warning when every answer is a number: a rating column given as the answers' text has no words to
    code («0 suggestions for 0 of 12 answers» said nothing of why)."""
    given = texts.astype(str).str.strip()
    given = given[given != ""]
    if len(given) >= 3 and given.str.fullmatch(_NUMBER.pattern).all():
        warnings.warn(
            f"{path}, column '{text_col}': every answer is a number (a rating column?): no words to code",
            stacklevel=3,
        )


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

    >>> answers = read_answers("examples/coded/coded_answers.csv")
    >>> list(answers.columns), len(answers)
    (['id', 'text'], 463)
    >>> list(read_answers("examples/coded/coded_answers.csv", keep=["question"]).columns)
    ['id', 'text', 'question']
    """
    wanted = [id_col, text_col, *keep]
    if Path(path).suffix.lower() in (*EXCEL_SUFFIXES, ".json"):  # read whole in any case
        frame = read_table(path)
    else:
        # The first rows first (the header's checks, and where a missing column is), then only these
        # columns: the texts are held once, and the export's other columns not at all.
        _require_answer_columns(read_table(path, rows=5), wanted, path)
        frame = read_table(path, columns=wanted)
    _require_answer_columns(frame, wanted, path)
    if frame.empty:
        raise CoderError("no answers (the file has a header only)", file=path)
    check_unique_ids(frame, id_col, path)
    _check_no_label_row(frame, id_col, path)
    _warn_of_numbers_only(frame[text_col], text_col, path)
    answers = pd.DataFrame({"id": frame[id_col].astype(str).str.strip(), "text": frame[text_col].astype(str)})
    for column in keep:
        answers[column] = frame[column].astype(str)
    return answers.reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ YAML


@dataclass(frozen=True)
class YamlDocument:
    """A YAML file read by :func:`read_yaml`: its data, and its node tree for line numbers in messages."""

    data: Any
    node: yaml.Node | None


def read_text(path: str | os.PathLike[str], what: str = "file") -> str:
    """The text of a UTF-8 file (a BOM, as Notepad writes it, is dropped), in Unicode's composed form (NFC:
    a Mac may write «å» as «a» and a ring); CoderError if it is unreadable."""
    path = Path(path)
    if not path.exists():
        raise CoderError(f"{what} not found", file=path)
    if path.is_dir():
        raise CoderError(f"expected a {what}, found a directory", file=path)
    try:
        data = path.read_bytes()
        return unicodedata.normalize("NFC", data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        found = data[error.start : error.start + 1].decode("cp1252", errors="replace")
        raise CoderError(
            f"not UTF-8 text ('{found}' is not UTF-8; Notepad or Excel saved it as ANSI/cp1252?): save the "
            "file as UTF-8",
            file=path,
            line=line,
        ) from None
    except OSError as error:
        raise CoderError(f"cannot read the {what}: {error.strerror}", file=path) from None


def parse_yaml(text: str, file: str | os.PathLike[str] | None = None) -> YamlDocument:
    """Parse YAML text strictly: a CoderError with the line for a syntax error, a tab where YAML needs
    spaces, or a duplicate key (PyYAML would silently keep the last value of a duplicate key).

    >>> parse_yaml("name: a\\ncodes: []\\n").data
    {'name': 'a', 'codes': []}
    >>> parse_yaml("name: a\\nname: b\\n")
    Traceback (most recent call last):
    coder.errors.CoderError: line 2, key 'name': duplicate key 'name' (first on line 1)
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error, text, file) from None
    except yaml.YAMLError as error:
        raise CoderError(f"invalid YAML: {error}", file=file) from None
    except RecursionError:
        raise CoderError("invalid YAML: nested too deeply", file=file) from None
    if node is None:
        return YamlDocument(None, None)
    _check_duplicate_keys(node, file)
    loader = yaml.SafeLoader("")
    try:
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error, text, file) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as error:
        # A scalar that looks like a date but is none (2024-02-30) raises ValueError in PyYAML.
        line = _bad_date_line(node)
        hint = " (quote it to keep it as text)" if line else ""
        raise CoderError(f"invalid YAML value: {error}{hint}", file=file, line=line) from None
    finally:
        loader.dispose()
    return YamlDocument(data, node)


def yaml_line(node: yaml.Node | None, *path: str | int) -> int | None:
    """The line (1-based) of the value at ``path`` (keys and list indexes) in a YAML node tree; for a last
    step that is a key, the line of the key.

    >>> yaml_line(yaml.compose("- concept: bolig\\n  terms:\\n    - leilighet\\n"), 0, "terms", 0)
    3
    """
    for n, step in enumerate(path):
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == step), None)
            if pair is None:
                return None
            node = pair[0] if n == len(path) - 1 else pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return None
    return None if node is None else node.start_mark.line + 1


def _bad_date_line(root: yaml.Node) -> int | None:
    """The line of a scalar that reads as a date but is none (2024-02-30), or None."""
    loader = yaml.SafeLoader("")
    try:
        for node in _nodes(root):
            if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
                try:
                    loader.construct_yaml_timestamp(node)
                except ValueError:
                    return node.start_mark.line + 1
    finally:
        loader.dispose()
    return None


def _nodes(root: yaml.Node) -> Iterator[yaml.Node]:
    """Every node under ``root`` once; iterative, as an anchor may make the node graph deep or even cyclic."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


#: Files that are surely not YAML: a table, a workbook or a QDA exchange file given where YAML belongs.
NOT_YAML_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".qdc", ".qdpx")  # JSON is YAML


def read_yaml(path: str | os.PathLike[str], what: str = "file", hint: str = "") -> YamlDocument:
    """Read a YAML file (UTF-8, with or without BOM) with :func:`parse_yaml`; a table or a workbook given
    instead is said so (``hint``: what to give), not read as text that is no UTF-8 or no YAML."""
    return parse_yaml(read_text(yaml_file(path, what, hint), what), path)


def yaml_file(path: str | os.PathLike[str], what: str = "file", hint: str = "") -> Path:
    """``path``, or a CoderError when its suffix says it is no YAML (:data:`NOT_YAML_SUFFIXES`).

    >>> yaml_file("eksport.csv", "manifest")
    Traceback (most recent call last):
    coder.errors.CoderError: eksport.csv: expected a YAML manifest (.yaml), not a .csv file
    """
    path = Path(path)
    if path.suffix.lower() in NOT_YAML_SUFFIXES:
        message = f"expected a YAML {what} (.yaml), not a {path.suffix.lower()} file"
        raise CoderError(f"{message}: {hint}" if hint else message, file=path)
    return path


def _yaml_error(error: yaml.MarkedYAMLError, text: str, file: str | os.PathLike[str] | None) -> CoderError:
    mark = error.problem_mark or error.context_mark
    line = None if mark is None else mark.line + 1
    problem = str(error.problem or "")
    if mark is not None and "'\\t'" in problem:
        message = f"a tab character at column {mark.column + 1}: YAML indents and separates with spaces only"
        return CoderError(message, file=file, line=line)
    what = " ".join(str(part) for part in (error.context, error.problem) if part) or "invalid YAML"
    return CoderError(f"invalid YAML: {what}", file=file, line=line)


def _check_duplicate_keys(root: yaml.Node, file: str | os.PathLike[str] | None) -> None:
    for node in _nodes(root):
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, _value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                    line = key_node.start_mark.line + 1
                    if key_node.value in first:
                        raise CoderError(
                            f"duplicate key '{key_node.value}' (first on line {first[key_node.value]})",
                            file=file,
                            line=line,
                            key=key_node.value,
                        )
                    first[key_node.value] = line


def check_output_file(path: str | os.PathLike[str]) -> Path:
    """``path`` as a file to write: a CoderError when it is a directory or its directory does not exist
    (checked for every file of an output before the first is written, so that none is left alone)."""
    path = Path(path)
    if path.is_symlink():  # write the file it points to; replacing it would turn the link into a copy
        try:
            path = path.resolve(strict=False)
        except (OSError, RuntimeError):  # a link that loops
            raise CoderError("a symbolic link that leads to no file", file=path) from None
    if path.is_dir():
        raise CoderError("the output is a directory; give a file name", file=path)
    if path.exists() and not path.is_file():  # a device or a pipe: replacing it would remove it
        raise CoderError("the output is not a regular file", file=path)
    if path.parent and not path.parent.exists():
        raise CoderError("output directory does not exist", file=path.parent)
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise CoderError("no permission to write in the output directory", file=path.parent)
    return path


def check_not_an_input(out: str | os.PathLike[str], *inputs: str | os.PathLike[str] | None) -> None:
    """A CoderError when ``out`` is one of ``inputs`` (None skipped): writing it would destroy the input."""
    if any(path is not None and Path(path).resolve() == Path(out).resolve() for path in inputs):
        raise CoderError("the output would overwrite the input; choose another name", file=out)


def check_table_output(out: str | os.PathLike[str], *inputs: str | os.PathLike[str] | None) -> str:
    """Every check of a table a command will write, before its work: the format (returned, see
    :func:`output_format`), a folder that exists (:func:`check_output_file`), and not one of ``inputs``."""
    fmt = output_format(out)
    check_output_file(out)
    check_not_an_input(out, *inputs)
    return fmt


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None
) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` and move it into place only when the block succeeds.

    A crash or an error inside the block leaves any earlier ``path`` untouched and no partial file.
    """
    path = check_output_file(path)
    binary = "b" in mode
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    except OSError as error:  # its message would name the temporary file, which the user never asked for
        raise CoderError(f"cannot write the file: {error.strerror or error}", file=path) from None
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


#: The list of the files :func:`staged_directory` last moved into a folder.
OUTPUT_INDEX = ".coder-files"


@contextlib.contextmanager
def staged_directory(
    directory: str | os.PathLike[str],
    index: str = OUTPUT_INDEX,
    *,
    inputs: Sequence[str | os.PathLike[str] | None] = (),
) -> Iterator[Path]:
    """A hidden staging directory inside ``directory`` for outputs made of many files (a report).

    ``directory`` is made if needed (and removed again, with the parents made for it, when the block fails).
    Write everything into the staging directory; when the block succeeds, each file is moved into place
    (renames only, after all the work), so an error or an interrupt while computing or writing leaves the
    earlier output exactly as it was. Staging left behind by a killed process is removed the next time;
    that of a run still at work in the same folder is left alone, and the two runs move their files in
    one after the other (a lock on the folder), so the folder holds one run's files, never a mix.
    An output that would replace one of ``inputs`` (a data file kept in the output folder) stops the run
    before any file moves.

    The files moved in are listed in ``directory/.coder-files`` (``index``: each command its own list, so
    that two commands writing into one folder leave each other's files alone); a file the previous run
    listed and this one did not write (a format no longer asked for, the figure of a theme no longer found)
    is removed, so the folder never mixes two runs. Other files in the folder are not touched.
    """
    directory = Path(directory)
    created = [folder for folder in (directory, *directory.parents) if not folder.exists()]  # deepest first
    index_file = directory / index
    protected = {Path(path).resolve() for path in inputs if path is not None}
    stage = None
    try:
        output_directory(directory)
        for stale in directory.glob(".staging-*"):
            if not _staged_by_a_live_process(stale):
                shutil.rmtree(stale, ignore_errors=True)
        stage = Path(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-", dir=directory))
        yield stage
        sources = sorted(p for p in stage.rglob("*") if p.is_file())
        with _folder_lock(directory):
            _commit_staged(directory, stage, sources, index_file, protected)
    except BaseException:  # an interrupt too: a folder made for this output is not left behind empty
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        for folder in created:
            with contextlib.suppress(OSError):  # not empty: another run wrote there meanwhile
                folder.rmdir()
        raise
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)


def _staged_by_a_live_process(stage: Path) -> bool:
    """Whether the staging folder ``.staging-PID-...`` belongs to a process still running here."""
    pid = stage.name.removeprefix(".staging-").partition("-")[0]
    if not pid.isdigit():
        return False  # staging of an older version: no process named, so left behind
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        pass
    return True


@contextlib.contextmanager
def _folder_lock(directory: Path) -> Iterator[None]:
    """An exclusive lock on ``directory`` while a run moves its files in (where the system has flock)."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock; the moves are still renames
        yield
        return
    handle = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _commit_staged(
    directory: Path, stage: Path, sources: list[Path], index_file: Path, protected: set[Path]
) -> None:
    """Move the staged ``sources`` into ``directory``, then remove what the previous run listed and this one
    did not write, and list this run's files in ``index_file``."""
    for source in sources:  # every place first: a folder in the way stops the run before any file moves
        target = directory / source.relative_to(stage)
        if target.is_dir() or (target.exists() and not target.is_file()):
            raise CoderError("a folder (or another non-file) is in the way of an output", file=target)
        if target.resolve() in protected:
            raise CoderError(
                "an output of this name would replace this input file (choose another output folder)",
                file=target,
            )
    written = []
    for source in sources:
        target = directory / source.relative_to(stage)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        written.append(source.relative_to(stage).as_posix())
    earlier = index_file.read_text(encoding="utf-8").splitlines() if index_file.is_file() else []
    inside = directory.resolve()
    for name in sorted(set(earlier) - set(written)):
        old = directory / name
        # only a file inside the folder (the list is a plain file that anyone can edit), never an input
        if (
            old.is_file()
            and not Path(name).is_absolute()
            and old.resolve().is_relative_to(inside)
            and old.resolve() not in protected
        ):
            old.unlink()
            if old.parent != directory:
                with contextlib.suppress(OSError):  # its folder too, when that is left empty
                    old.parent.rmdir()
    with atomic_write(index_file) as handle:
        handle.write("".join(f"{name}\n" for name in written))


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


def write_table(
    frame: pd.DataFrame, path: str | os.PathLike[str], fmt: str | None = None, *, excel: bool = False
) -> Path:
    """Write ``frame`` atomically as CSV (UTF-8), XLSX or JSON (records), chosen by ``fmt`` or suffix.

    ``excel``: a CSV for people to open in Excel (a report's tables), not for programs: with a byte-order
    mark, so Excel reads the UTF-8 (æøå), and a text that Excel would run as a formula (it begins with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) begins with ``'``, as OWASP advises against CSV
    injection.
    """
    path = Path(path)
    fmt = output_format(path, fmt)
    if fmt == "csv":
        if excel:
            frame = frame.map(_not_a_formula)
        with atomic_write(path, newline="", encoding="utf-8-sig" if excel else "utf-8") as handle:
            frame.to_csv(handle, index=False)
    elif fmt == "xlsx":
        write_excel(path, {"data": frame})
    else:
        write_json(records(frame), path)
    return path


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _not_a_formula(value: Any) -> Any:
    """A text that a spreadsheet would read as a formula, with a ``'`` before it.

    >>> _not_a_formula("=1+1"), _not_a_formula("- for få boliger"), _not_a_formula("ok"), _not_a_formula(3)
    ("'=1+1", "'- for få boliger", 'ok', 3)
    """
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame`` as JSON-ready records: NaN becomes ``None`` and numpy numbers plain ones.

    >>> records(pd.DataFrame({"a": [1, None]}))
    [{'a': 1.0}, {'a': None}]
    """
    return json.loads(frame.to_json(orient="records", force_ascii=False))


EXCEL_CELL = 32_767  # the most characters an Excel cell holds


def _fit_excel_cells(frame: pd.DataFrame, sheet: str, path: str | os.PathLike[str]) -> pd.DataFrame:
    """``frame`` with each text longer than a cell holds cut to it, marked « […]», and a warning naming
    the sheet and rows (pandas cut them with a warning that named no place)."""

    def too_long(value: Any) -> bool:
        return isinstance(value, str) and len(value) > EXCEL_CELL

    rows = [
        spreadsheet_row(i) for i, row in enumerate(frame.itertuples(index=False)) if any(map(too_long, row))
    ]
    if not rows:
        return frame
    warnings.warn(
        f"{path}: sheet '{sheet}', row{'s' * (len(rows) > 1)} {_rows(rows)}: a text longer than Excel's "
        f"{EXCEL_CELL:,} characters is cut there, marked « […]» (the CSV and JSON hold it whole)",
        stacklevel=3,
    )
    return frame.map(lambda value: value[: EXCEL_CELL - 4] + " […]" if too_long(value) else value)


EXCEL_PERCENT = "0 %"
"""The number format of a share in a workbook: the value stays a fraction (0.25), Excel shows «25 %»."""
_EXCEL_WIDTH = (8, 60)  # a column's width in characters: its longest value (header too), within these


def write_excel(
    path: str | os.PathLike[str],
    sheets: dict[str, pd.DataFrame],
    *,
    created: datetime | None = None,
    percent: Collection[str] = (),
    decimals: dict[str, int] | None = None,
) -> Path:
    """Write DataFrames as the sheets of one workbook, atomically.

    Text is stored as text: an answer that starts with ``=`` stays words, never becomes a formula that
    Excel would evaluate (respondents' free text must not run in the researcher's spreadsheet). The header
    row stays in view when scrolling and has filters, a column is as wide as its values (up to 60
    characters), the columns named in ``percent`` show their fractions as percent (:data:`EXCEL_PERCENT`)
    and those in ``decimals`` their numbers to that many decimals (the cells keep the full value).
    """
    from openpyxl.utils import get_column_letter

    book = io.BytesIO()
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            _fit_excel_cells(frame, name, path).to_excel(writer, sheet_name=name, index=False)
        for sheet in writer.book.worksheets:
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = sheet.dimensions
            for column in sheet.iter_cols():
                header = str(column[0].value)
                longest = max(len(str(cell.value)) for cell in column if cell.value is not None)
                sheet.column_dimensions[get_column_letter(column[0].column)].width = (
                    min(max(longest, _EXCEL_WIDTH[0]), _EXCEL_WIDTH[1]) + 2
                )
                for cell in column:  # the heading too: a municipality's name can be one
                    if cell.data_type == "f":
                        cell.data_type = "s"
                    elif header in percent and isinstance(cell.value, float):
                        cell.number_format = EXCEL_PERCENT
                    elif header in (decimals or {}) and isinstance(cell.value, float):
                        cell.number_format = "0." + "0" * decimals[header] if decimals[header] else "0"
        if created is not None:
            writer.book.properties.created = created
            writer.book.properties.creator = "coder"
    data = book.getvalue() if created is None else _dated_workbook(book.getvalue(), created)
    with atomic_write(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def _dated_workbook(data: bytes, created: datetime) -> bytes:
    """The workbook ``data`` with every date in it ``created``: openpyxl stamps the time of saving on the
    workbook and on each file of its zip, so two runs of one report otherwise never give the same bytes."""
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", lambda found: found.group(1) + stamp, content
                )
            dated = zipfile.ZipInfo(
                info.filename, date_time=max(created.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
            )
            dated.compress_type, dated.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            target.writestr(dated, content)
    return out.getvalue()


_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    r"""``text`` with the characters XML 1.0 cannot hold written out (``\x0b``): Gephi and NVivo read it.

    >>> xml_text("rolle\x0bleder")
    'rolle\\x0bleder'
    """
    return _NOT_IN_XML.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def check_output_directory(directory: str | os.PathLike[str]) -> Path:
    """``directory`` as a Path, or a user error when it is a file or a folder this user may not write in
    (checked before any work, and again by :func:`output_directory`); nothing is made."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise CoderError("expected a directory, found a file", file=directory)
    # else the first file written names a hidden staging folder inside it
    if directory.is_dir() and not os.access(directory, os.W_OK | os.X_OK):
        raise CoderError("no permission to write in the output directory", file=directory)
    return directory


def output_directory(directory: str | os.PathLike[str]) -> Path:
    """``directory`` as a Path, created if needed; a user error when it is a file or not writable."""
    directory = check_output_directory(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CoderError(f"cannot make the output directory: {error.strerror}", file=directory) from None
    return check_output_directory(directory)


def slug(text: str) -> str:
    """``text`` as a file-name part: lower case, letters and digits kept (æøå too), the rest one ``-``.

    >>> slug("Indre Fosen / Rissa")
    'indre-fosen-rissa'
    >>> slug("?")  # never empty, so a file name never starts with its separator
    'x'
    """
    keep = "".join(ch if ch.isalnum() else "-" for ch in text.casefold())
    return "-".join(part for part in keep.split("-") if part) or "x"


# ------------------------------------------------------------------------------------ numbers as text
# One way to show a number in every table, on the terminal and in the report: undefined is '–'.

UNDEFINED = "–"


def _undefined(value: Any) -> bool:
    return value is None or value != value  # NaN is the one value unequal to itself


def number_text(
    value: float | None, decimals: int = 3, *, decimal_mark: str = ".", whole: bool = False
) -> str:
    """A number as text with ``decimals`` decimals; ``None`` or NaN (undefined: kappa of one value) as '–'.

    Parameters
    ----------
    value : float or None
    decimals : int, default 3
    decimal_mark : str, default "."
        ``","`` as a Norwegian reader writes decimals (the report).
    whole : bool, default False
        Show a whole number without decimals (a count held as a float: 4.0 as ``4``).

    >>> number_text(0.12345), number_text(None), number_text(2.5, 1, decimal_mark=",")
    ('0.123', '–', '2,5')
    >>> number_text(float("nan"))
    '–'
    >>> number_text(4.0, whole=True), number_text(4.5, whole=True)
    ('4', '4.500')
    """
    if _undefined(value):
        return UNDEFINED
    if whole and float(value).is_integer():
        return str(int(value))
    return f"{value:.{decimals}f}".replace(".", decimal_mark)


def whole_percent(share: float) -> int:
    """``share`` in whole percent, half up: the figure every table and the report show (0.095 is 10).

    >>> whole_percent(2 / 21), whole_percent(0.125), whole_percent(23 / 40)
    (10, 13, 58)
    """
    # 23/40 * 100 is 57.49999...: the float's last bits must not decide a half
    return math.floor(round(share * 100, 9) + 0.5)


def percent_text(share: float | None, *, space: bool = False) -> str:
    """A share (0 to 1) as a whole percent, rounded half up as a reader rounds; undefined as '–'.

    Python's round-half-even would show 22.5 % as 22 %. ``space``: ``"22 %"``, as Norwegian writes it.

    >>> percent_text(0.225), percent_text(0.5, space=True), percent_text(None)
    ('23%', '50 %', '–')
    """
    if _undefined(share):
        return UNDEFINED
    return f"{whole_percent(share)}{' ' if space else ''}%"


def save_figure(fig: Any, stem: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write a figure as ``stem.png``, ``stem.svg``, ... atomically, with stable metadata and SVG ids."""
    import matplotlib  # late: only the commands that draw pay for matplotlib
    from matplotlib.text import Text

    # Every text is the data's, never math: «$5 og $10» or an id «$\foo$» is drawn as written.
    for text in fig.findobj(Text):
        text.set_parse_math(False)
    written = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        with atomic_write(path, "wb") as handle:
            # Fixed metadata keeps the SVG the same from run to run.
            metadata = {"Date": None} if fmt == "svg" else {"Software": None}
            with matplotlib.rc_context({"svg.hashsalt": "coder"}):  # stable SVG ids
                fig.savefig(handle, format=fmt, dpi=120, bbox_inches="tight", metadata=metadata)
        written.append(path)
    return written


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file's bytes, for provenance."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


PROVENANCE_KEYS = ("tool", "created", "inputs")


def created_time() -> datetime:
    """Now (UTC), or the time ``SOURCE_DATE_EPOCH`` gives (seconds since 1970), as reproducible builds set it
    so that two runs of one report give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def provenance(
    inputs: Sequence[str | os.PathLike[str] | tuple[str, str | os.PathLike[str]]] = (), **settings: Any
) -> dict[str, Any]:
    """What made an output, in the one shape every output's provenance has.

    Parameters
    ----------
    inputs : the input files; a ``(role, path)`` pair also says what the file was (``"manifest"``, ...).
    **settings : everything else that decided the output, kept as given after the three keys below.

    Returns
    -------
    ``{"tool": "coder <version>", "created": <UTC time to the second, ISO 8601>, "inputs": [{["role",]
    "file", "sha256"}, ...], **settings}``
    """
    from coder import __version__

    clash = set(PROVENANCE_KEYS) & settings.keys()
    if clash:  # a setting must not overwrite what every provenance has
        raise ValueError(f"{sorted(clash)} are provenance's own keys, not settings")
    files = []
    for item in inputs:
        role, path = item if isinstance(item, tuple) else (None, item)
        entry = {} if role is None else {"role": role}
        files.append({**entry, "file": str(path), "sha256": file_sha256(path)})
    return {
        "tool": f"coder {__version__}",
        "created": created_time().isoformat(timespec="seconds"),
        "inputs": files,
        **settings,
    }


def provenance_path(path: str | os.PathLike[str]) -> Path:
    """Where the provenance of the output ``path`` is written: beside it, ``<name>.provenance.json``.

    >>> provenance_path("forslag.csv").name
    'forslag.csv.provenance.json'
    """
    return Path(f"{path}.provenance.json")


def write_with_provenance(
    frame: pd.DataFrame, path: str | os.PathLike[str], record: dict[str, Any], fmt: str | None = None
) -> tuple[Path, Path]:
    """Write a table and, beside it, ``<name>.provenance.json`` saying how it was made."""
    check_output_file(provenance_path(path))  # before the table: never a table without its provenance
    table = write_table(frame, path, fmt)
    return table, write_json(record, provenance_path(table))


def jsonable(value: Any) -> Any:
    """``value`` as JSON can hold it: tables as lists of records, numpy scalars as Python ones, NaN as null,
    ±inf as ``"inf"``, paths as text (JSON has no NaN or infinity; Python would write them anyway).

    >>> jsonable({"stability": float("nan"), "odds": float("inf"), "n": pd.Series([3]).iloc[0]})
    {'stability': None, 'odds': 'inf', 'n': 3}
    """
    if hasattr(value, "to_dict") and hasattr(value, "columns"):
        return [jsonable(record) for record in value.to_dict(orient="records")]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy scalars and arrays
        return jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None if value != value else str(value)
    return str(value) if isinstance(value, Path) else value


def write_json(data: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``data`` atomically as pretty-printed UTF-8 JSON (æøå kept as they are; see :func:`jsonable`)."""
    with atomic_write(path) as handle:
        json.dump(jsonable(data), handle, ensure_ascii=False, indent=2, allow_nan=False)
        handle.write("\n")
    return Path(path)
