"""The one exception type for user errors (bad input, missing files, wrong options).

The command line turns a :class:`CoderError` into a single line on stderr and exit code 2. Bugs are not
``CoderError`` and keep their tracebacks.
"""

from __future__ import annotations

from os import PathLike


class CoderError(Exception):
    """A problem with the user's input, with where it was found.

    >>> str(CoderError("duplicate id 'r7'", file="answers.csv", row=12, column="id"))
    "answers.csv, row 12, column 'id': duplicate id 'r7'"
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | PathLike[str] | None = None,
        row: int | str | None = None,
        column: str | None = None,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.key = key
        self.line = line

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}" if isinstance(self.row, int) else f"rows {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.key is not None:
            where.append(f"key '{self.key}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message
