"""The coding project: one SQLite file with the answers, the codebook, suggestion runs and the decision log.

A project is self-contained (it keeps the codebook YAML) and holds personal survey data, so the file is
created with permissions 0600 (SQLite gives its ``-wal``/``-shm`` files the same mode), and a copy found open
to others when opened is narrowed to 0600 with a :class:`ProjectPermissionWarning`. Several processes may
write one project at once (two coders reviewing): each write waits up to :data:`BUSY_TIMEOUT_SECONDS`.

Schema (``PRAGMA user_version`` = :data:`SCHEMA_VERSION`; :data:`MIGRATIONS` upgrades older files)::

    meta(key PRIMARY KEY, value)                      project id, created_at, tool version, sources
    codebooks(id, name, version, language, yaml, codes_json, sha256 UNIQUE, added_at)
    reference_answers(codebook_id, position, text, codes)   the codebook's reference answers (codes ;-joined)
    answers(id PRIMARY KEY, respondent_id, question_id, text, attributes JSON, position)
    runs(id UUID PRIMARY KEY, created_at, seed, threshold, params JSON, codebook_id, n_labels, tool_version)
    suggestions(run_id, answer_id, code, confidence, evidence)   PRIMARY KEY (run_id, answer_id, code)
    decisions(seq, uuid UNIQUE, batch, answer_id, code, action, coder, decided_at, run_id, confidence,
              mode, undoes)                            append-only: triggers abort UPDATE and DELETE
    seen_batches(batch PRIMARY KEY)                   batches decided with the other coders' codes shown

Decisions (``action``): ``accept`` / ``reject`` answer a suggestion of run ``run_id``; ``add`` / ``remove``
set a code the coder chose; ``none`` (code ``""``) *closes* an answer: the coder is done with it and every
code of it the coder did not set is absent (``n`` and ``a`` in review log it; alone it means "no code");
``undo`` (``undoes`` = the uuid of the entry it cancels) is how a decision is taken back -- nothing is ever
deleted. Entries made by one command share a ``batch`` id, and undo cancels the coder's latest batch.
A batch decided with the other coders' codes on screen (``coder review --show-others``: a consensus
meeting) is listed in ``seen_batches``: it counts for the codes, not for inter-coder reliability, which
is of blind coding (``log(blind_only=True)``).

The rules below are implemented as pure functions over DataFrames in :mod:`coder.decisions`;
:class:`Project` reads the log and the runs and hands them over.

**Fold.** Drop undo entries and the entries they cancel, order the rest by (``decided_at``, ``seq``); for
every (answer, code, coder) the last entry wins -- accept/add = the code is present (1), reject/remove =
absent (0). These are the coder's *explicit* cells.

**Decided.** A coder has *closed* an answer when a ``none`` entry of theirs remains. A coder has *decided*
an answer when they closed it, or when they have at least one remaining entry on it and no suggestion of
the current run (the latest, or the one reviewed) at or above the run's threshold is still open for them
(every such code has an explicit cell). So a partial decision (``a 2``, ``r 1``, a bulk accept of one of
two confident codes) leaves the answer undecided, and a bulk review never closes an answer. Entries of a
bulk rule alone decide an answer only where the run suggested a code at or above the threshold (and every
such code is decided): a rule that rejects unlikely codes (``--reject-below``), or accepts codes below the
threshold on an answer without a confident one, read nothing. Decided answers
drive the review queue and progress, the exports and agreement; the consensus decided set is the union
over coders.

**Codes added later** (:meth:`Project.add_codebook`, a code merged from ``coder discover``). A ``none``
entry made before a code was added closed the answer for the codes of then: it stays decided, implies
those codes absent (in the cells and in ``labels()``, spelled out, no ``""`` row) and says nothing of the
new code, which stays unknown there. Where the current run suggests the new code at or above its
threshold, the answer is *reopened* (:meth:`Project.reopened`): the review queue shows it again.

**Cells.** A coder's decided cells are the explicit ones plus, for every decided answer the coder read
(closed it, or has a remaining entry on it not made by a bulk rule), the codes no entry names: those are
*implied* absent. A bulk rule (``mode == "bulk"``, ``coder review --accept-from``) never read the answer,
so it decides only the codes it names: after a bulk review the other codes stay undecided (empty in the
wide export, not 0). ``labels()`` (training data) is stricter: only a *closed* answer implies absent codes;
an answer decided only because no confident suggestion is open contributes just its explicit cells.

**Consensus** (``coder=None``). For every (answer, code) the coders who decided that cell vote --
explicitly, or "absent" by having closed the answer without naming the code: present when all of them say
present, absent when all say absent, a *conflict* otherwise. A cell only one coder decided takes that
coder's value. A cell nobody voted on is absent when some coder decided (without closing) and read its
answer.
Conflicts are unknown for training (left out of ``labels()``), left out of ``current_codes()``, flagged
``status == "conflict"`` in the long export and listed by :meth:`Project.conflicts` (``coder agreement``
prints them). A later decision of one coder never overrides another coder's.

>>> import tempfile
>>> answers = pd.DataFrame({"id": ["r1:q1", "r2:q1"], "text": ["Mangler oppfølging", "Kort vei til alle"]})
>>> codebook = codebook_module.load()
>>> project = init(Path(tempfile.mkdtemp()) / "project.db", answers, codebook)
>>> batch = project.record("kari", [Decision("r1:q1", "follow_up", "add")])
>>> project.current_codes()[["id", "code", "coder", "action"]].to_dict("records")
[{'id': 'r1:q1', 'code': 'follow_up', 'coder': 'kari', 'action': 'add'}]
>>> project.close()
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sqlite3
import stat
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from coder import __version__, decisions, survey
from coder import codebook as codebook_module
from coder.codebook import Code, Codebook, ReferenceAnswer
from coder.errors import CoderError
from coder.io import answer_ids, check_output_file, provenance, read_answers, write_excel, write_table
from coder.reliability import cooccurrence

__all__ = [
    "ACTIONS",
    "SCHEMA_VERSION",
    "Decision",
    "Project",
    "ProjectPermissionWarning",
    "coder_name",
    "coders_in_both",
    "export_codes",
    "init",
    "merge",
    "suggest",
]

#: Actions a coder can log; ``undo`` entries are written by :meth:`Project.undo` only.
ACTIONS = ("accept", "reject", "add", "remove", "none")
MODES = ("interactive", "bulk", "import")
_INSERT_SUGGESTION = (
    "INSERT INTO suggestions (run_id, answer_id, code, confidence, evidence) VALUES (?, ?, ?, ?, ?)"
)

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE codebooks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    language TEXT NOT NULL,
    yaml TEXT NOT NULL,
    codes_json TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL
);
CREATE TABLE answers (
    id TEXT PRIMARY KEY,
    respondent_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    text TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    position INTEGER NOT NULL
);
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    seed INTEGER,
    threshold REAL,
    params TEXT NOT NULL DEFAULT '{}',
    codebook_id INTEGER REFERENCES codebooks(id),
    n_labels INTEGER NOT NULL DEFAULT 0,
    tool_version TEXT NOT NULL
);
CREATE TABLE suggestions (
    run_id TEXT NOT NULL REFERENCES runs(id),
    answer_id TEXT NOT NULL REFERENCES answers(id),
    code TEXT NOT NULL,
    confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    evidence TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, answer_id, code)
);
CREATE TABLE decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    batch TEXT NOT NULL,
    answer_id TEXT NOT NULL REFERENCES answers(id),
    code TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('accept', 'reject', 'add', 'remove', 'none', 'undo')),
    coder TEXT NOT NULL CHECK (coder <> ''),
    decided_at TEXT NOT NULL,
    run_id TEXT REFERENCES runs(id),
    confidence REAL,
    mode TEXT NOT NULL CHECK (mode IN ('interactive', 'bulk', 'import')),
    undoes TEXT REFERENCES decisions(uuid)
);
CREATE INDEX decisions_answer ON decisions(answer_id, coder);
CREATE INDEX decisions_batch ON decisions(coder, batch);
CREATE TRIGGER decisions_append_only_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'the decision log is append-only: record a new decision instead'); END;
CREATE TRIGGER decisions_append_only_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'the decision log is append-only: record an undo instead'); END;
"""

# Version 2: the codebook's reference answers travel with it, so a project suggests with the same model as
# `coder suggest` on a file (projects made before keep their codebook without them).
_SCHEMA_V2 = """
CREATE TABLE reference_answers (
    codebook_id INTEGER NOT NULL REFERENCES codebooks(id),
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    codes TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (codebook_id, position)
);
"""

# Version 3: decisions made with the other coders' codes shown are told from blind ones (projects made before
# hold blind decisions only, or cannot tell).
_SEEN_BATCHES = "CREATE {temp}TABLE seen_batches (batch TEXT PRIMARY KEY)"
_SCHEMA_V3 = f"""
{_SEEN_BATCHES.format(temp="")};
CREATE TRIGGER seen_batches_append_only_update BEFORE UPDATE ON seen_batches
BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER seen_batches_append_only_delete BEFORE DELETE ON seen_batches
BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
"""

#: MIGRATIONS[i] upgrades a file from schema version i to i + 1 (version 0 = empty file).
MIGRATIONS: list[str] = [_SCHEMA_V1, _SCHEMA_V2, _SCHEMA_V3]
#: Suggestions from this confidence up are stored with a run, so review can show and reject uncertain ones.
STORED_CONFIDENCE_FLOOR = 0.05
SCHEMA_VERSION = len(MIGRATIONS)
#: How long a write waits for another process writing the same project (two coders on one file).
BUSY_TIMEOUT_SECONDS = 30.0


def _now() -> str:
    # Sortable UTC text with microseconds: the fold orders decisions by it (then by seq).
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Decision:
    """One decision to log: ``action`` on ``code`` of answer ``answer_id``.

    ``run_id``/``confidence`` name the suggestion it answered (accept/reject). ``action="none"`` with
    ``code=""`` closes the answer: every code of it not accepted or added is absent (alone: no code).
    """

    answer_id: str
    code: str
    action: str
    run_id: str | None = None
    confidence: float | None = None


_NOT_A_PROJECT = {".csv", ".xlsx", ".xls", ".json", ".yaml", ".yml", ".md", ".html", ".txt", ".qdc"}


INCOMPLETE = (
    "an incomplete project: `coder init` or `coder merge` is still writing it, or was stopped before it "
    "finished (nothing was saved in it); if none is running, delete it and run the command again"
)


def _create_private_file(path: Path) -> None:
    """Create ``path`` with mode 0600 before SQLite opens it, so it is never readable by others."""
    if path.suffix.lower() in _NOT_A_PROJECT:  # `merge -o koder.xlsx` made an SQLite file of that name
        raise CoderError(
            f"a project is an SQLite file, not {path.suffix}; name it .db (tables: `coder codes export`)",
            file=path,
        )
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        try:
            _check_is_project(path)
        except CoderError as error:
            if error.message == INCOMPLETE:  # the earlier, killed run's file: say so, it holds nothing
                raise
        except OSError:  # a folder, an unreadable file: only that it is there
            pass
        raise CoderError("already exists (choose another name or delete it first)", file=path) from None
    except OSError as error:
        raise CoderError(f"cannot create the project: {error.strerror}", file=path) from None
    os.close(fd)
    os.chmod(path, 0o600)  # the umask may have narrowed the mode further; never widen beyond 0600


@contextlib.contextmanager
def _new_project_file(path: Path) -> Iterator[Project]:
    """Create ``path`` (mode 0600) as an empty project of the current schema and yield it open.

    On any error inside the block the file and its ``-wal``/``-shm`` are removed again, so a failed
    ``init`` or ``merge`` leaves nothing behind. On success the project stays open for the caller.
    """
    _create_private_file(path)
    conn = None
    try:
        conn = _connect(path)
        _migrate(conn, path)
        yield Project(path, conn)
    except BaseException:
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{path}{suffix}")
        raise


class ProjectPermissionWarning(UserWarning):
    """A project file was open to other users; :meth:`Project.open` narrowed it to the owner (0600)."""


class PartlyDecidedWarning(UserWarning):
    """The long export leaves out codes decided on answers not decided in full; wide and labels hold them."""


def _keep_private(path: Path) -> None:
    """Take group and other permissions off the project and its ``-wal``/``-shm`` files, with one warning.

    A copy made with some tools (an archive, a mail attachment, ``write_bytes``) gets the umask's 0644, and
    the project holds personal survey data. A file whose mode this user cannot change is refused.
    """
    was = None
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(os.stat(name).st_mode)
        except FileNotFoundError:
            continue
        if not mode & 0o077:
            continue
        private = mode & 0o700  # never widen: a read-only file stays read-only
        try:
            os.chmod(name, private)
        except OSError as error:
            raise CoderError(
                f"the project is open to other users (mode {mode:04o}) and its mode cannot be set to"
                f" {private:04o}: {error.strerror} (ask its owner to run `chmod 600` on it)",
                file=name,
            ) from None
        was = was or (mode, private)
    if was is not None:
        warnings.warn(
            f"{path}: the project was open to other users (mode {was[0]:04o}); it is now {was[1]:04o}"
            " (it holds personal survey data)",
            ProjectPermissionWarning,
            stacklevel=3,
        )


_PROJECT_TABLES = {"meta", "codebooks", "answers", "runs", "suggestions", "decisions"}  # in every version


def _check_is_project(path: Path) -> None:
    """Raise unless ``path`` is a coding project, looking read-only so that any other file stays as it is."""
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise CoderError("not a coding project (not an SQLite file)", file=path)
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = probe.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            # init and merge write the codebook with everything else in one transaction: none, they were
            # killed before they finished (Ctrl-C removes the file; SIGKILL or a closed terminal cannot)
            incomplete = "codebooks" in tables and not probe.execute("SELECT 1 FROM codebooks").fetchone()
            # a damaged file (a disk error, a copy cut short) is caught here, not as a traceback later on
            try:
                damage = probe.execute("PRAGMA quick_check").fetchone()[0]
            except sqlite3.DatabaseError as error:
                damage = str(error)
        finally:
            probe.close()
    except sqlite3.DatabaseError:
        _check_writable(path, writing=False)  # a read-only folder is the likelier cause: say so
        raise CoderError("not a coding project (not a readable SQLite file)", file=path) from None
    if version == 0 or "decisions" not in tables:
        raise CoderError("not a coding project (create one with `coder init`)", file=path)
    if damage != "ok":
        found = " ".join(damage.replace("*** in database main ***", "").split())[:100]
        raise CoderError(f"the coding project is damaged ({found}); restore it from a backup", file=path)
    if incomplete:
        raise CoderError(INCOMPLETE, file=path)
    missing = sorted(_PROJECT_TABLES - tables)
    if missing:
        raise CoderError(f"the project has no table '{missing[0]}'; restore it from a backup", file=path)


def _check_writable(path: Path, writing: bool) -> None:
    """A CoderError when the folder SQLite keeps its journal in cannot be written (it is needed to read the
    project too), or, ``writing``, the project file: a decision could not be saved (it was a traceback at
    the first one, after the coder had read the answer)."""
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise CoderError(
            "the project's folder is read-only (SQLite keeps its journal beside the project, also to read "
            "it); move the project to a folder you can write in",
            file=path,
        )
    if writing and not os.access(path, os.R_OK | os.W_OK):
        raise CoderError("the project file is read-only; make it writable, or work on a copy", file=path)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)  # explicit transactions
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")  # a committed decision survives a power cut, not only a kill
    # Two coders on one file wait for each other's commits (readers never wait in WAL mode).
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    return conn


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _raise_if_read_only(error: BaseException, path: Path) -> None:
    """A CoderError for a write SQLite refused as read-only (the file made read-only after it was opened,
    or a read-only disk): the user's problem, not a bug."""
    if isinstance(error, sqlite3.OperationalError) and "readonly" in str(error):
        raise CoderError("the project cannot be written (read-only); nothing was saved", file=path) from None


def _begin_write(conn: sqlite3.Connection, path: Path) -> None:
    """``BEGIN IMMEDIATE``, waiting up to :data:`BUSY_TIMEOUT_SECONDS` for another process's write.

    SQLite's busy handler does the waiting; the loop retries the rare busy results that skip it (a WAL
    recovery by another connection), and a project still busy at the deadline is a clear user error.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            _raise_if_read_only(error, path)
            if not _is_busy(error):
                raise
            if time.monotonic() >= deadline:
                raise CoderError(
                    f"the project is busy: another process has been writing to it for over"
                    f" {BUSY_TIMEOUT_SECONDS:g} s (nothing was saved; try again)",
                    file=path,
                ) from None


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise CoderError(
            f"the project has schema version {version}; this coder knows up to {SCHEMA_VERSION}"
            " (upgrade coder)",
            file=path,
        )
    while version < SCHEMA_VERSION:
        _begin_write(conn, path)
        try:
            # read again under the write lock: another process may have migrated the file meanwhile
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                for statement in _statements(MIGRATIONS[version]):
                    conn.execute(statement)
                version += 1
                conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException as error:
            conn.execute("ROLLBACK")
            if _read_as_it_is(conn, error, version):
                return
            _raise_if_read_only(error, path)
            raise


def _read_as_it_is(conn: sqlite3.Connection, error: BaseException, version: int) -> bool:
    """Whether a project of schema 2 that cannot be written (an archived copy, a read-only share) is read as
    it is: its decisions were all made blind, so an empty temporary ``seen_batches`` stands in for the
    table schema 3 adds."""
    if version != 2 or not (isinstance(error, sqlite3.OperationalError) and "readonly" in str(error)):
        return False
    conn.execute(_SEEN_BATCHES.format(temp="TEMP "))
    return True


def _statements(script: str) -> list[str]:
    """Split a schema script into statements (executescript would commit our transaction)."""
    statements, buffer = [], ""
    for line in script.strip().splitlines():
        buffer += line + "\n"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return statements


class Project:
    """An open coding project. Use :meth:`open` (or :func:`init`) and close it, e.g. in a ``with`` block.

    Every write is one SQLite transaction committed before the method returns.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    # -- opening -------------------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, writing: bool = False) -> Project:
        """Open an existing project (applying pending schema migrations).

        ``writing``: the caller will write (decisions, a suggestion run), so a read-only project file is a
        CoderError now, not after the work (a read-only file can still be read: an archived copy). A project
        file open to other users is narrowed to 0600 with a :class:`ProjectPermissionWarning`.
        """
        path = Path(path)
        if not path.exists():
            raise CoderError("project not found (create it with `coder init`)", file=path)
        if path.is_dir():
            raise CoderError("expected a project file, found a directory", file=path)
        _check_is_project(path)
        _check_writable(path, writing)
        _keep_private(path)
        conn = _connect(path)
        _migrate(conn, path)
        return cls(path, conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``), rolled back on any error.

        Waits for another process's write on the same file (see :func:`_begin_write`).
        """
        _begin_write(self.conn, self.path)
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as error:
            self.conn.execute("ROLLBACK")
            _raise_if_read_only(error, self.path)
            raise
        # Into the project file at once (never waiting for a reader): after a kill every decision is in the
        # .db itself, so a copy of that one file (as the README shares a project) holds them all.
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    # -- contents ------------------------------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        return {row["key"]: row["value"] for row in self.conn.execute("SELECT key, value FROM meta")}

    def answers(self) -> pd.DataFrame:
        """The answers in input order: ``id, respondent_id, question_id, text``, one column per attribute."""
        rows = self.conn.execute(
            "SELECT id, respondent_id, question_id, text, attributes FROM answers ORDER BY position"
        ).fetchall()
        frame = pd.DataFrame(
            [tuple(row)[:4] for row in rows],
            columns=["id", "respondent_id", "question_id", "text"],
            dtype=object,
        )
        attributes = [json.loads(row["attributes"]) for row in rows]
        names = list(dict.fromkeys(name for attrs in attributes for name in attrs))
        for name in names:
            frame[name] = [attrs.get(name, "") for attrs in attributes]
        return frame

    def answer_ids(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT id FROM answers ORDER BY position")]

    def _codebook_row(self) -> sqlite3.Row:
        return self.conn.execute("SELECT * FROM codebooks ORDER BY id DESC LIMIT 1").fetchone()

    def codebook(self) -> Codebook:
        """The project's (latest) codebook, rebuilt from the stored codes and reference answers."""
        row = self._codebook_row()
        codes = tuple(Code.from_dict(item) for item in json.loads(row["codes_json"]))
        reference = tuple(
            ReferenceAnswer(text, tuple(c for c in codes_text.split(";") if c))
            for text, codes_text in self.conn.execute(
                "SELECT text, codes FROM reference_answers WHERE codebook_id = ? ORDER BY position",
                (row["id"],),
            )
        )
        return Codebook(
            name=row["name"],
            language=row["language"],
            version=row["version"],
            codes=codes,
            reference_answers=reference,
        )

    def add_codebook(self, codebook: Codebook | str | os.PathLike[str]) -> list[str]:
        """Make ``codebook`` the project's codebook (a code merged from ``coder discover``, keywords
        edited); return the ids of the codes it adds.

        It must keep every code of the project's codebook, since the decisions name them (a code renamed
        or dropped would leave them pointing nowhere). No decision is changed: an answer closed before a
        code was added is closed for the codes of then, and open for the new one (see :meth:`introduced`).
        The codebooks before stay in the file, as every suggestion run names the one it used.
        """
        book, text = _load_codebook(codebook)
        repeated = sorted({code_id for code_id in book.code_ids if book.code_ids.count(code_id) > 1})
        if repeated:  # a Codebook built in Python is not validated as a file is; votes would double
            raise CoderError(f"the codebook has the code id '{repeated[0]}' twice", file=book.path)
        current = self.codebook().code_ids
        missing = [code_id for code_id in current if code_id not in book.code_ids]
        if missing:
            named = ", ".join(f"'{code_id}'" for code_id in missing)
            raise CoderError(
                f"the codebook lacks {named} of the project's codebook, which decisions may name: keep every "
                "code (add new ones; a merged codebook does)",
                file=book.path,
            )
        latest = self._codebook_row()["id"]
        with self.transaction() as conn:
            if not _insert_codebook(conn, book, text, _now()):
                held = conn.execute(
                    "SELECT id FROM codebooks WHERE yaml = ? ORDER BY id DESC LIMIT 1", (text,)
                ).fetchone()
                if held is not None and held[0] != latest:
                    raise CoderError(
                        "the project had this codebook before, and a later one replaced it: change its "
                        "version (or any field) to take it again",
                        file=book.path,
                    )
        return [code_id for code_id in book.code_ids if code_id not in current]

    def codebook_yaml(self) -> str:
        """The YAML text of the codebook in force, as it was given (to ``coder init``, or to
        :meth:`add_codebook` after)."""
        return self._codebook_row()["yaml"]

    def coders(self) -> list[str]:
        """Every coder with an entry in the log, in order of first decision."""
        rows = self.conn.execute("SELECT coder FROM decisions GROUP BY coder ORDER BY MIN(seq)")
        return [row[0] for row in rows]

    def logged_name(self, coder: str) -> str:
        """``coder`` as the log spells it: «kari» is the coder «Kari» who decided before (a name is one
        coder whatever its case; two coders would agree with themselves), a new name as given (tidied)."""
        name = decisions.tidy_name(coder)
        # the usual case, a name as logged, is one index lookup; the whole log's names only for another case
        # (an older coder's project may hold both «Kari» and «kari»: each keeps its exact name)
        if self.conn.execute("SELECT 1 FROM decisions WHERE coder = ? LIMIT 1", (name,)).fetchone():
            return name
        known = self.coders()
        alike = [other for other in known if other.casefold() == name.casefold()]
        if len(alike) > 1:
            listed = ", ".join(f"'{other}'" for other in alike)
            raise CoderError(
                f"'{name}' could be any of the coders {listed}: type the name as one of them", key="coder"
            )
        return alike[0] if alike else name

    # -- suggestion runs -----------------------------------------------------------------------------------

    def add_suggestion_run(
        self,
        suggestions: pd.DataFrame,
        params: dict[str, Any] | None = None,
        *,
        seed: int | None = None,
        threshold: float | None = None,
        n_labels: int = 0,
    ) -> str:
        """Store a suggestion run (``id, code, confidence[, evidence]``) in one transaction; return its id."""
        params = dict(params or {})
        for column in ("id", "code", "confidence"):
            if column not in suggestions.columns:
                raise CoderError(f"suggestions lack the column '{column}'")
        known_ids = set(self.answer_ids())
        code_ids = set(self.codebook().code_ids)
        evidence = suggestions["evidence"] if "evidence" in suggestions.columns else [""] * len(suggestions)
        rows, seen = [], set()
        for answer, code, confidence, ev in zip(
            suggestions["id"], suggestions["code"], suggestions["confidence"], evidence, strict=True
        ):
            answer, code = str(answer), str(code)
            if answer not in known_ids:
                raise CoderError(f"suggestion for an unknown answer '{answer}'")
            if code not in code_ids:
                raise CoderError(f"suggestion of a code not in the codebook: '{code}'")
            value = float(confidence)
            if not 0.0 <= value <= 1.0:
                raise CoderError(f"confidence {confidence} of '{answer}' / '{code}' is not between 0 and 1")
            if (answer, code) in seen:
                raise CoderError(f"two suggestions of '{code}' for answer '{answer}'")
            seen.add((answer, code))
            rows.append((answer, code, value, "" if ev is None or ev != ev else str(ev)))
        run_id = str(uuid.uuid4())
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO runs (id, created_at, seed, threshold, params, codebook_id, n_labels,"
                " tool_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    _now(),
                    seed,
                    threshold,
                    json.dumps(params, ensure_ascii=False, sort_keys=True, default=str),
                    self._codebook_row()["id"],
                    n_labels,
                    __version__,
                ),
            )
            conn.executemany(
                _INSERT_SUGGESTION,
                [(run_id, *row) for row in rows],
            )
        return run_id

    def runs(self) -> pd.DataFrame:
        """Every suggestion run, oldest first, with its number of suggestions."""
        rows = self.conn.execute(
            "SELECT r.id, r.created_at, r.seed, r.threshold, r.n_labels, r.params, c.version,"
            " (SELECT COUNT(*) FROM suggestions s WHERE s.run_id = r.id)"
            " FROM runs r LEFT JOIN codebooks c ON c.id = r.codebook_id ORDER BY r.created_at, r.rowid"
        ).fetchall()
        columns = [
            "run_id",
            "created_at",
            "seed",
            "threshold",
            "n_labels",
            "params",
            "codebook_version",
            "suggestions",
        ]
        return pd.DataFrame([tuple(r) for r in rows], columns=columns)

    def decided_since(self, run_id: str, coder: str | None = None) -> int:
        """How many answers ``coder`` (``None``: any coder) decided on after the run ``run_id`` was made:
        decisions that run's suggestions have not learned from (an undone decision is none)."""
        runs = self.runs()
        made = runs.loc[runs["run_id"] == run_id, "created_at"]
        log = self.effective_log(coder)
        if not len(made) or not len(log):
            return 0
        return int(log.loc[log["decided_at"] > made.iloc[0], "answer_id"].nunique())

    def latest_run(self) -> str | None:
        row = self.conn.execute("SELECT id FROM runs ORDER BY created_at DESC, rowid DESC LIMIT 1").fetchone()
        return None if row is None else row[0]

    def run_threshold(self, run_id: str) -> float:
        """The decision threshold of a run: as stored, else the classifier's default, else 0.5."""
        row = self.conn.execute("SELECT threshold FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise CoderError(f"no suggestion run '{run_id}'")
        if row[0] is not None:
            return float(row[0])
        from coder.classify import DEFAULT_THRESHOLD  # late, for start-up: classify loads scikit-learn

        return float(DEFAULT_THRESHOLD)

    def run_seed(self, run_id: str) -> int:
        """The seed a run was made with (0 when it was not stored)."""
        row = self.conn.execute("SELECT seed FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise CoderError(f"no suggestion run '{run_id}'")
        return int(row[0] or 0)

    def run_counts(self, run_id: str | None = None) -> dict[str, int]:
        """What a run (default: the latest) holds: ``answers`` in the project, ``suggestions`` at or above
        its threshold, ``answers_suggested`` (with at least one), ``coded_answers`` (it learned from)."""
        run_id = run_id or self.latest_run()
        if run_id is None:
            raise CoderError("the project has no suggestion run yet", file=self.path)
        chosen = self.model_codes(run_id)
        n_labels = self.conn.execute("SELECT n_labels FROM runs WHERE id = ?", (run_id,)).fetchone()[0]
        return {
            "answers": len(self.answer_ids()),
            "suggestions": len(chosen),
            "answers_suggested": int(chosen["id"].nunique()),
            "coded_answers": int(n_labels),
        }

    def suggestions(self, run_id: str | None = None) -> pd.DataFrame:
        """The suggestions of a run (default: the latest): ``id, code, confidence, evidence``."""
        run_id = run_id or self.latest_run()
        rows = self.conn.execute(
            "SELECT s.answer_id, s.code, s.confidence, s.evidence FROM suggestions s"
            " JOIN answers a ON a.id = s.answer_id WHERE s.run_id = ?"
            " ORDER BY a.position, s.confidence DESC, s.code",
            (run_id,),
        ).fetchall()
        return pd.DataFrame([tuple(r) for r in rows], columns=["id", "code", "confidence", "evidence"])

    def model_codes(self, run_id: str | None = None) -> pd.DataFrame:
        """The codes the model gives (confidence >= the run's threshold) as long ``id, code``."""
        run_id = run_id or self.latest_run()
        if run_id is None:
            return pd.DataFrame(columns=["id", "code"])
        suggestions = self.suggestions(run_id)
        chosen = suggestions[suggestions["confidence"] >= self.run_threshold(run_id)]
        return chosen[["id", "code"]].reset_index(drop=True)

    # -- decisions -----------------------------------------------------------------------------------------

    def record(
        self, coder: str, decisions: Iterable[Decision], *, mode: str = "interactive", blind: bool = True
    ) -> str:
        """Append ``decisions`` by ``coder`` to the log in one committed transaction; return the batch id.

        ``blind=False``: the coder saw the other coders' codes (a consensus meeting); the batch counts for
        the codes, not for inter-coder reliability.
        """
        coder = self.logged_name(coder_name(coder))
        if mode not in MODES:
            raise CoderError(f"unknown mode '{mode}' (use {', '.join(MODES)})")
        decisions = list(decisions)
        code_ids = set(self.codebook().code_ids)
        known = set(self.answer_ids())
        for decision in decisions:
            if not isinstance(decision, Decision):  # a tuple or dict would fail on .action, far from here
                raise TypeError(f"decisions must be coder.store.Decision objects, got {decision!r}")
            if decision.action not in ACTIONS:
                raise CoderError(f"unknown action '{decision.action}' (use {', '.join(ACTIONS)})")
            if decision.answer_id not in known:
                raise CoderError(f"no answer '{decision.answer_id}' in the project")
            if decision.action == "none":
                if decision.code:
                    raise CoderError("the action 'none' takes no code")
            elif decision.code not in code_ids:
                raise CoderError(f"code '{decision.code}' is not in the codebook")
        batch = str(uuid.uuid4())
        with self.transaction() as conn:
            now = _now()
            conn.executemany(
                "INSERT INTO decisions (uuid, batch, answer_id, code, action, coder, decided_at, run_id,"
                " confidence, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        str(uuid.uuid4()),
                        batch,
                        d.answer_id,
                        d.code,
                        d.action,
                        coder,
                        now,
                        d.run_id,
                        d.confidence,
                        mode,
                    )
                    for d in decisions
                ],
            )
            if not blind:
                conn.execute("INSERT INTO seen_batches (batch) VALUES (?)", (batch,))
        return batch

    def undo(self, coder: str, *, blind: bool = True) -> list[str]:
        """Cancel ``coder``'s latest batch that still has effect, by logging undo entries (``blind`` as in
        :meth:`record`: an undo made seeing the others' codes takes a blind decision back from the codes,
        not from reliability, which counts what each coder decided blind).

        Returns the answer ids it touched (empty when there is nothing to undo).
        """
        coder = self.logged_name(coder)
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT batch FROM decisions d WHERE coder = ? AND action <> 'undo'"
                " AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.uuid)"
                " ORDER BY decided_at DESC, seq DESC LIMIT 1",
                (coder,),
            ).fetchone()
            if row is None:
                return []
            targets = conn.execute(
                "SELECT uuid, answer_id, code FROM decisions d"
                " WHERE coder = ? AND batch = ? AND action <> 'undo'"
                " AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.uuid) ORDER BY seq",
                (coder, row[0]),
            ).fetchall()
            batch, now = str(uuid.uuid4()), _now()
            conn.executemany(
                "INSERT INTO decisions (uuid, batch, answer_id, code, action, coder, decided_at, mode,"
                " undoes) VALUES (?, ?, ?, ?, 'undo', ?, ?, 'interactive', ?)",
                [
                    (str(uuid.uuid4()), batch, t["answer_id"], t["code"], coder, now, t["uuid"])
                    for t in targets
                ],
            )
            if not blind and targets:
                conn.execute("INSERT INTO seen_batches (batch) VALUES (?)", (batch,))
        return list(dict.fromkeys(t["answer_id"] for t in targets))

    def log(self, coder: str | None = None, *, blind_only: bool = False) -> pd.DataFrame:
        """The raw decision log (every entry, undo entries included) in fold order; ``blind_only``: without
        the batches decided with the other coders' codes shown (see :meth:`record`)."""
        columns = [
            "seq", "uuid", "batch", "answer_id", "code", "action", "coder", "decided_at", "run_id",
            "confidence", "mode", "undoes",
        ]  # fmt: skip
        sql = f"SELECT {', '.join(columns)} FROM decisions WHERE 1"
        args: tuple[Any, ...] = ()
        if coder is not None:
            sql += " AND coder = ?"
            args = (self.logged_name(coder),)  # as record stored it
        if blind_only:
            sql += " AND batch NOT IN (SELECT batch FROM seen_batches)"
        rows = self.conn.execute(sql + " ORDER BY decided_at, seq", args).fetchall()
        return pd.DataFrame([tuple(r) for r in rows], columns=columns)

    def latest_entries(self, coder: str, answer_id: str) -> tuple[int, int]:
        """The ``seq`` of ``coder``'s latest log entry on ``answer_id`` and on any answer (0: none): another
        session of the same coder that logs something moves them."""
        row = self.conn.execute(
            "SELECT MAX(CASE WHEN answer_id = ? THEN seq END), MAX(seq) FROM decisions WHERE coder = ?",
            (answer_id, self.logged_name(coder)),
        ).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def effective_log(self, coder: str | None = None) -> pd.DataFrame:
        """The log without undo entries and the entries they cancelled, in fold order."""
        return decisions.effective_log(self.log(coder))

    def decision_state(self, coder: str | None = None) -> pd.DataFrame:
        """The last remaining entry per (answer, code, coder), close (``none``) entries left out.

        Columns ``answer_id, code, action, coder, ...`` in fold order. This is every coder's own explicit
        state; the consensus of several coders is :meth:`cells` with ``coder=None``.
        """
        return decisions.explicit_state(self.log(coder))

    def closed(self, coder: str | None = None) -> set[str]:
        """The answers ``coder`` (or anyone) closed: a remaining ``none`` entry (``n`` or ``a`` in review),
        made after the newest code of the codebook was added (see :meth:`add_codebook`)."""
        return decisions.closed_answers(self.log(coder), decisions.newest(self.introduced()))

    def introduced(self) -> dict[str, str]:
        """code -> when it was added to the project (:meth:`add_codebook`), for the codes the first
        codebook lacked: an answer closed before is closed for the codes of then only."""
        first: set[str] | None = None
        added: dict[str, str] = {}
        for codes_json, added_at in self.conn.execute(
            "SELECT codes_json, added_at FROM codebooks ORDER BY id"
        ):
            ids = [code["id"] for code in json.loads(codes_json)]
            if first is None:
                first = set(ids)
            for code_id in ids:
                if code_id not in first:
                    added.setdefault(code_id, added_at)
        return added

    def decided(self, coder: str | None = None, run_id: str | None = None) -> set[str]:
        """The answers ``coder`` decided (``None``: any coder) -- see *Decided* in the module docs.

        ``run_id`` is the suggestion run whose open suggestions keep an answer undecided (default: latest).
        """
        return decisions.decided_answers(
            self.log(coder), self._needed(run_id), self._coders(coder), self.introduced()
        )

    def reopened(self, coder: str | None = None, run_id: str | None = None) -> set[str]:
        """The decided answers closed before a code was added whose new code ``run_id`` (default: latest)
        suggests at or above its threshold: open again in review, for that code."""
        introduced = self.introduced()
        if not introduced:
            return set()
        return decisions.reopened_answers(
            self.log(coder), self._needed(run_id), self._coders(coder), introduced
        )

    def _coders(self, coder: str | None) -> list[str]:
        return self.coders() if coder is None else [self.logged_name(coder)]

    def _needed(self, run_id: str | None) -> dict[str, set[str]]:
        """answer -> the codes the run suggests at or above its threshold (they must be decided)."""
        run_id = run_id or self.latest_run()
        if run_id is None:
            return {}
        rows = self.conn.execute(
            "SELECT answer_id, code FROM suggestions WHERE run_id = ? AND confidence >= ?",
            (run_id, self.run_threshold(run_id)),
        )
        needed: dict[str, set[str]] = {}
        for answer, code in rows:
            needed.setdefault(answer, set()).add(code)
        return needed

    def cells(
        self,
        coder: str | None = None,
        *,
        closed_only: bool = False,
        run_id: str | None = None,
        blind_only: bool = False,
    ) -> pd.DataFrame:
        """Every decided (answer, code) cell with its value -- see *Cells* and *Consensus* in the module docs.

        Columns ``id, code, present`` (1, 0, or ``<NA>`` for a conflict), ``status`` (``agreed`` or
        ``conflict``), ``explicit`` (some coder logged this very code, not only closed the answer), ``bulk``
        (every vote on the cell came from a bulk rule, ``coder review --accept-from``, not from reading),
        ``coder`` (the coders who decided the cell, ``", "``-joined), ``votes`` (``kari=1, ola=0``),
        ``decided_at`` (the latest), ``action``, ``run_id`` (of the latest explicit entry). Implied cells
        are those of a decided answer (``closed_only``: of a closed answer) that no entry names.
        ``blind_only``: as decided without the other coders' codes shown (see :meth:`record`).
        """
        code_ids = self.codebook().code_ids
        votes = self._votes(coder, closed_only, run_id, code_ids, blind_only)
        return decisions.cells(votes, self.answer_ids(), code_ids)

    def _votes(
        self,
        coder: str | None,
        closed_only: bool,
        run_id: str | None,
        code_ids: list[str],
        blind_only: bool = False,
    ) -> dict[tuple[str, str], list[decisions.Vote]]:
        """(answer, code) -> the votes on each decided cell (see :func:`coder.decisions.collect_votes`)."""
        return decisions.collect_votes(
            self.log(coder, blind_only=blind_only),
            code_ids,
            self._needed(run_id),
            self._coders(coder),
            closed_only=closed_only,
            introduced=self.introduced(),
        )

    def seen_decisions(self, coder: str) -> int:
        """How many of ``coder``'s decisions in effect were made with the other coders' codes shown (undo
        entries, and the entries they cancel, not counted): left out of inter-coder reliability."""
        return self.conn.execute(
            "SELECT COUNT(*) FROM decisions d WHERE coder = ? AND action <> 'undo'"
            " AND batch IN (SELECT batch FROM seen_batches)"
            " AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.uuid)",
            (self.logged_name(coder),),
        ).fetchone()[0]

    def _sorted(self, frame: pd.DataFrame) -> pd.DataFrame:
        """By answer position, then codebook order (``""`` first, unknown codes last)."""
        return decisions.sort_cells(frame, self.answer_ids(), self.codebook().code_ids)

    def conflicts(self, run_id: str | None = None) -> pd.DataFrame:
        """The consensus conflicts: ``id, code``, one column per coder (``1``, ``0``, ``""`` = undecided)."""
        code_ids = self.codebook().code_ids
        votes = self._votes(None, False, run_id, code_ids)
        return decisions.conflicts(votes, self.coders(), self.answer_ids(), code_ids)

    def current_codes(self, coder: str | None = None, run_id: str | None = None) -> pd.DataFrame:
        """The codes of the decided answers (see the module docs): long, one row per answer × code.

        Columns ``id, code, coder, decided_at, action, run_id``: who decided the code and when. A decided
        answer without any present code has one row with ``code == ""`` (the codes-file convention). In the
        consensus, a code in conflict is left out (see :meth:`conflicts`), and an answer whose only
        undecided matter is a conflict gets no ``""`` row either.
        """
        cells = self.cells(coder, run_id=run_id)
        decided = self.decided(coder, run_id)
        return decisions.current_codes(cells, decided, self.answer_ids(), self.codebook().code_ids)

    def coded(self, suggestions: pd.DataFrame | None = None) -> pd.DataFrame:
        """``id, code, confidence, machine``: the coders' consensus codes (confidence 1.0, ``machine``
        False), ``suggestions`` in the cells they left (``machine`` True: a suggestion may be 1.0 too).

        A decided answer has its :meth:`current_codes` (a ``""`` row: decided, no code) and nothing of the
        suggestions. On any other answer a cell some coder decided is never filled from ``suggestions``:
        not a code in dispute (left out until the coders agree, see :meth:`conflicts`), nor one a coder
        rejected; a code the coders agree is present counts as theirs.
        """
        cells = self.cells()  # once: the fold of the log is the costly part
        decided = decisions.current_codes(cells, self.decided(), self.answer_ids(), self.codebook().code_ids)
        done = set(decided["id"])
        begun = cells[~cells["id"].isin(done) & (cells["status"] == "agreed") & (cells["present"] == 1)]
        human = pd.concat([decided[["id", "code"]], begun[["id", "code"]]], ignore_index=True)
        frames = [human.assign(confidence=1.0, machine=False)]
        if suggestions is not None:
            by_coders = set(zip(cells["id"], cells["code"], strict=True))
            left = [
                answer not in done and (answer, code) not in by_coders
                for answer, code in zip(suggestions["id"], suggestions["code"], strict=True)
            ]
            frames.append(suggestions.loc[left, ["id", "code", "confidence"]].assign(machine=True))
        return pd.concat(frames, ignore_index=True)

    def labels(self, coder: str | None = None) -> pd.DataFrame:
        """Classifier labels: long ``id, code, present`` for :func:`coder.classify.label_matrix`.

        One row per explicitly decided (answer, code) with ``present`` 1 (accept/add) or 0 (reject/remove),
        plus one row ``code == "", present == 0`` per closed answer: every code of it that no other row
        sets is absent. Cells never decided stay unknown; so do consensus conflicts (and a closed answer
        with a conflict gets its agreed absent codes spelled out instead of the ``""`` row). Codes no
        longer in the codebook are left out.
        """
        cells = self.cells(coder, closed_only=True)
        return decisions.labels(cells, self.closed(coder), self.answer_ids(), self.codebook().code_ids)


# ----------------------------------------------------------------------------------------------------------
# Creating a project
# ----------------------------------------------------------------------------------------------------------


def _load_codebook(codebook: Codebook | str | os.PathLike[str] | None) -> tuple[Codebook, str]:
    """The codebook and its YAML text (``None``: the default codebook)."""
    if isinstance(codebook, Codebook):
        return codebook, codebook_module.to_yaml(codebook)
    path = Path(codebook) if codebook is not None else codebook_module.default_codebook_path()
    if not path.exists():
        raise CoderError("file not found", file=path)
    return codebook_module.load(path), path.read_text(encoding="utf-8-sig")


def read_project_answers(
    path: str | os.PathLike[str],
    *,
    id_col: str = "id",
    text_col: str = "text",
    question_col: str | None = None,
    respondent_col: str | None = None,
    attr_cols: Sequence[str] = (),
) -> pd.DataFrame:
    """Read an answers table for :func:`init`: ``id, respondent_id, question_id, text`` + attribute columns.

    Without a respondent column every answer is its own respondent; without a question column the
    question id is empty.
    """
    keep = [c for c in dict.fromkeys([question_col, respondent_col, *attr_cols]) if c]
    answers = read_answers(path, id_col=id_col, text_col=text_col, keep=keep)
    frame = pd.DataFrame(
        {
            "id": answers["id"],
            "respondent_id": answers[respondent_col].str.strip() if respondent_col else answers["id"],
            "question_id": answers[question_col].str.strip() if question_col else "",
            "text": answers["text"],
        }
    )
    for column in attr_cols:
        frame[column] = answers[column]
    return frame


def _survey_answers(manifest: str | os.PathLike[str]) -> pd.DataFrame:
    loaded = survey.load(manifest)
    answers = loaded.answers.copy()
    frame = pd.DataFrame(
        {
            "id": answers["id"].astype(str),
            "respondent_id": answers["respondent_id"].astype(str),
            "question_id": answers["question_id"].astype(str),
            "text": answers["text"].astype(str),
        }
    )
    if "municipality" in answers.columns:
        frame["municipality"] = answers["municipality"].astype(str)
    respondents = getattr(loaded, "respondents", None)
    if respondents is not None and "functions" in respondents.columns:
        key = "respondent_id" if "respondent_id" in respondents.columns else "id"
        functions = {
            str(r): "; ".join(f) if isinstance(f, list | tuple | set) else str(f)
            for r, f in zip(respondents[key], respondents["functions"], strict=True)
        }
        frame["functions"] = frame["respondent_id"].map(functions).fillna("")
    return frame


def init(
    path: str | os.PathLike[str],
    answers: pd.DataFrame | str | os.PathLike[str] | None,
    codebook: Codebook | str | os.PathLike[str] | None = None,
    *,
    id_col: str = "id",
    text_col: str = "text",
    question_col: str | None = None,
    respondent_col: str | None = None,
    attr_cols: Sequence[str] = (),
    manifest: str | os.PathLike[str] | None = None,
) -> Project:
    """Create a coding project at ``path`` (mode 0600) with the answers and the codebook; return it open.

    ``answers`` is a DataFrame with ``id, text`` (and optionally ``respondent_id``, ``question_id`` and
    attribute columns) or a CSV/XLSX path read with the column options; or give a survey ``manifest``.
    ``codebook`` is a :class:`Codebook` or a YAML path, by default the default codebook; its YAML text is
    kept in the project, so the project is self-contained.
    """
    path = Path(path)
    if manifest is not None and answers is not None:
        raise CoderError("give the answers or a survey manifest, not both", key="manifest")
    if manifest is not None:
        frame = _survey_answers(manifest)
        source = str(manifest)
    elif answers is None:
        raise CoderError("give the answers or a survey manifest", key="answers")
    elif isinstance(answers, pd.DataFrame):
        named = {
            "id_col": id_col != "id",
            "text_col": text_col != "text",
            "question_col": question_col not in (None, "question_id"),
            "respondent_col": respondent_col not in (None, "respondent_id"),
            "attr_cols": attr_cols,
        }
        given = [name for name, value in named.items() if value]
        if given:  # they were ignored: a question column became a plain attribute
            raise CoderError(
                f"{given[0]} names a column of an answers file, not of a DataFrame; give the DataFrame's "
                "columns their own names (id, text, question_id, respondent_id)"
            )
        frame = answers.copy()
        source = "DataFrame"
    else:
        frame = read_project_answers(
            answers,
            id_col=id_col,
            text_col=text_col,
            question_col=question_col,
            respondent_col=respondent_col,
            attr_cols=attr_cols,
        )
        source = str(answers)
    for column in ("id", "text"):
        if column not in frame.columns:
            raise CoderError(f"the answers lack the column '{column}'")
    named = "the answers DataFrame" if source == "DataFrame" else source
    frame["id"] = [answer_id.strip() for answer_id in answer_ids(frame, named)]
    frame["text"] = frame["text"].fillna("").astype(str)  # an empty answer stays an (uncoded) answer
    if "respondent_id" not in frame.columns:
        frame["respondent_id"] = frame["id"]
    if "question_id" not in frame.columns:
        frame["question_id"] = ""
    duplicated = frame.loc[frame["id"].duplicated(), "id"]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        if source == "DataFrame":
            rows = ", ".join(str(i) for i, value in enumerate(frame["id"]) if value == first)
            raise CoderError(f"duplicate answer id '{first}' in the answers DataFrame (positions {rows})")
        raise CoderError(f"duplicate answer id '{first}'", file=source)
    if frame.empty:
        raise CoderError("there are no answers")
    book, text = _load_codebook(codebook)
    if not book.codes:
        raise CoderError("the codebook has no codes")
    if path.parent and not path.parent.exists():
        raise CoderError("output directory does not exist", file=path.parent)
    with _new_project_file(path) as project:
        conn = project.conn
        attr_names = [c for c in frame.columns if c not in ("id", "respondent_id", "question_id", "text")]
        with project.transaction():
            now = _now()
            meta = {
                "project_id": str(uuid.uuid4()),
                "created_at": now,
                "tool_version": __version__,
                "answers_source": source,
                "codebook_source": "Codebook"
                if isinstance(codebook, Codebook)
                else str(book.path or codebook),
            }
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
            _insert_codebook(conn, book, text, now)
            conn.executemany(
                "INSERT INTO answers (id, respondent_id, question_id, text, attributes, position)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        row["id"],
                        str(row["respondent_id"]),
                        str(row["question_id"]),
                        str(row["text"]),
                        json.dumps({n: str(row[n]) for n in attr_names}, ensure_ascii=False),
                        i,
                    )
                    for i, row in enumerate(frame.to_dict("records"))
                ],
            )
    return project


def _insert_codebook(conn: sqlite3.Connection, book: Codebook, text: str, now: str) -> bool:
    # Every field, not the codebook's compact YAML form: the sha256 below finds a codebook a project already
    # holds, so the stored JSON must stay as earlier projects have it.
    codes_json = json.dumps([dataclasses.asdict(code) for code in book.codes], ensure_ascii=False)
    reference = [(answer.text, ";".join(answer.codes)) for answer in book.reference_answers]
    content = "\0".join([text, codes_json, json.dumps(reference, ensure_ascii=False)])
    sha = hashlib.sha256(content.encode("utf-8")).hexdigest()
    cursor = conn.execute(
        "INSERT OR IGNORE INTO codebooks (name, version, language, yaml, codes_json, sha256, added_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (book.name, book.version, book.language, text, codes_json, sha, now),
    )
    if cursor.rowcount:
        conn.executemany(
            "INSERT INTO reference_answers (codebook_id, position, text, codes) VALUES (?, ?, ?, ?)",
            [(cursor.lastrowid, i, answer, codes) for i, (answer, codes) in enumerate(reference)],
        )
    return bool(cursor.rowcount)  # False: the project holds this very codebook already


# ----------------------------------------------------------------------------------------------------------
# Suggesting (the classifier learns from the decisions so far)
# ----------------------------------------------------------------------------------------------------------


def suggest(
    project_path: str | os.PathLike[str],
    *,
    seed: int = 0,
    threshold: float | None = None,
    spacy_model: str | None = None,
    codebook: Codebook | str | os.PathLike[str] | None = None,
) -> str:
    """Run :func:`coder.classify.suggest` on every answer of a project and store the run; return its id.

    The labels are :meth:`Project.labels` of the consensus: accepted and added codes are positives,
    rejected and removed codes negatives, the other codes of a closed answer negatives too; everything else
    (and every conflict between coders) is unknown. ``spacy_model`` is passed to the classifier.
    ``codebook`` (optional) first becomes the project's codebook (:meth:`Project.add_codebook`: it keeps
    every code and may add some).
    """
    from coder import classify  # late, for start-up: the project works without loading the classifier

    classify.check_options(threshold=threshold, seed=seed)  # what is stored with the run must be valid
    if codebook is not None:
        with Project.open(project_path, writing=True) as project:
            project.add_codebook(codebook)
    with Project.open(project_path, writing=True) as project:  # the run is stored after the fit
        answers = project.answers()[["id", "question_id", "text"]]
        labels = project.labels()
        effective = classify.DEFAULT_THRESHOLD if threshold is None else threshold
        # Keep the uncertain suggestions below the threshold too: review shows them and can reject them.
        suggestions = classify.suggest(
            answers,
            project.codebook(),
            labels=labels if len(labels) else None,
            threshold=min(STORED_CONFIDENCE_FLOOR, effective),
            seed=seed,
            spacy_model=spacy_model,
            keep_human_codes=False,  # decided cells are the coders' already; review shows the model's view
        )
        params = {
            "classifier": "coder.classify.suggest",
            "seed": seed,
            "threshold": effective,
            "labelled_answers": int(labels["id"].nunique()),
        }
        return project.add_suggestion_run(
            suggestions, params, seed=seed, threshold=effective, n_labels=int(labels["id"].nunique())
        )


# ----------------------------------------------------------------------------------------------------------
# Merging the logs of several coders
# ----------------------------------------------------------------------------------------------------------


def merge(a: str | os.PathLike[str], b: str | os.PathLike[str], out: str | os.PathLike[str]) -> Path:
    """Join two copies of a project into a new file ``out``: every coder, decision and suggestion run of both.

    The two must hold the same answers (same ids and texts). Entries are matched by their UUID, so a
    decision or run present in both appears once, and merging again changes nothing. ``seq`` in ``out``
    follows ``a`` then ``b``; it only breaks ties in the fold, which orders by decision time. The codebooks
    must have the same codes; both are kept (the latest added, ``b``'s when its text differs, is in force);
    ``meta`` is ``a``'s plus ``merged_from``.
    """
    out = Path(out)
    if Path(a).resolve() == Path(b).resolve():  # merged «without a word», changing nothing
        raise CoderError("the same project twice: merge a coder's copy into the project", file=b)
    with Project.open(a) as first, Project.open(b) as second:
        answers_a = first.answers()
        answers_b = second.answers()
        left = dict(zip(answers_a["id"], answers_a["text"], strict=True))
        right = dict(zip(answers_b["id"], answers_b["text"], strict=True))
        if left != right:
            only = sorted(set(left) ^ set(right))
            if only:
                where = a if only[0] in left else b
                detail = f"answer '{only[0]}' is only in {where}"
            else:
                changed = next(i for i in left if left[i] != right[i])
                detail = f"answer '{changed}' has a different text"
            raise CoderError(f"cannot merge projects with different answers: {detail}", file=b)
        # the merged project keeps a's; a question or respondent b gave differently would be lost unseen
        for column in [
            c for c in dict.fromkeys([*answers_a.columns, *answers_b.columns]) if c not in ("id", "text")
        ]:
            if column not in answers_a.columns or column not in answers_b.columns:
                where = a if column in answers_a.columns else b
                raise CoderError(
                    f"cannot merge projects with different answers: '{column}' is only in {where}"
                )
            theirs = answers_b.set_index("id")[column].fillna("").astype(str)
            mine = answers_a[column].fillna("").astype(str)
            differs = answers_a[mine.to_numpy() != answers_a["id"].map(theirs).to_numpy()]
            if len(differs):
                first_id = differs["id"].iloc[0]
                raise CoderError(
                    f"cannot merge projects with different answers: answer '{first_id}' has {column} "
                    f"'{mine[differs.index[0]]}' in {a} and '{theirs[first_id]}' in {b}"
                )
        # a decision on a code that the codebook in force lacks would drop out of every count unseen
        codes_a, codes_b = set(first.codebook().code_ids), set(second.codebook().code_ids)
        if codes_a != codes_b:
            only = sorted(codes_a ^ codes_b)[0]
            where = a if only in codes_a else b
            other = b if where == a else a
            raise CoderError(
                f"cannot merge projects with different codebooks: code '{only}' is only in {where} (give"
                f" {other} that codebook first)"
            )
        # when each copy took the added codes matters (a closing before them says nothing of them): the
        # merged file keeps one time, so copies that took them at different times cannot be merged
        if first.introduced() != second.introduced():
            raise CoderError(
                "cannot merge projects that took their added codes at different times (each copy took the "
                "codebook itself): merge the copies first, then give the merged one the codebook"
            )
        with _new_project_file(out) as merged:
            conn = merged.conn
            with merged.transaction():
                conn.execute("PRAGMA defer_foreign_keys = ON")
                _copy_into(conn, first, include_answers=True)
                _copy_into(conn, second, include_answers=False)
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('merged_from', ?)",
                    (json.dumps([str(a), str(b)]),),
                )
            merged.close()
    return out


#: Names a coder cannot have: the conflict and disagreement tables put one column per coder beside these.
RESERVED_CODER_NAMES = frozenset({"id", "code", "codes", "text", "respondent_id", "question_id"})


def coder_name(name: str) -> str:
    """A coder's name as the decisions carry it (stripped); a CoderError for an empty name, one with a
    comma (``coder agreement --coders kari,ola`` could never name it) or a control character, or the name of
    a column the coders' columns stand beside (:data:`RESERVED_CODER_NAMES`).

    Spaces are tidied (:func:`coder.decisions.tidy_name`): «kari nordmann» typed two ways is one coder.

    >>> coder_name(" kari ")
    'kari'
    >>> coder_name("kari\u00a0nordmann")
    'kari nordmann'
    """
    name = decisions.tidy_name(name)
    if not name:
        raise CoderError("the coder name is empty", key="coder")
    if "," in name or any(not character.isprintable() for character in name):
        raise CoderError(f"{name!r}: a coder name has no comma or control character", key="coder")
    if name.lower() in RESERVED_CODER_NAMES:
        raise CoderError(f"{name!r} names a column of the coders' tables; choose another name", key="coder")
    return name


def coders_in_both(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> list[str]:
    """The coder names with decisions of their own in both projects (entries the other project lacks).

    :func:`merge` joins entries by coder name (in any case), so two people of one name -- or one person who
    coded both copies -- become a single coder whose decisions mix. Entries both files share (made before
    one was copied from the other) do not count. ``coder merge`` prints a warning for each name.
    """
    logs: list[list[tuple[str, str]]] = []
    for path in (a, b):
        with Project.open(path) as project:
            logs.append(list(project.conn.execute("SELECT coder, uuid FROM decisions ORDER BY seq")))
    # Kari and kari are one coder, as merge joins them, unless a project keeps both spellings apart
    apart: set[str] = set()
    for log in logs:
        spellings = {coder for coder, _ in log}
        single = _one_spelling(spellings)
        apart |= {name.casefold() for name in spellings if name.casefold() not in single}

    def key(coder: str) -> str:
        return coder if coder.casefold() in apart else coder.casefold()

    entries: list[dict[str, set[str]]] = []
    for log in logs:
        by_coder: dict[str, set[str]] = {}
        for coder, entry in log:
            by_coder.setdefault(key(coder), set()).add(entry)
        entries.append(by_coder)
    first, second = entries
    spelt = {key(coder): coder for coder, _ in reversed(logs[0])}  # the first project's first spelling
    return [
        spelt[name]
        for name in first
        if first[name] - second.get(name, set()) and second.get(name, set()) - first[name]
    ]


def _one_spelling(names: Iterable[str]) -> dict[str, str]:
    """Casefolded name -> the one spelling of it among ``names`` (names spelt in two ways left out)."""
    spellings: dict[str, list[str]] = {}
    for name in names:
        spellings.setdefault(name.casefold(), []).append(name)
    return {folded: found[0] for folded, found in spellings.items() if len(found) == 1}


def _copy_into(conn: sqlite3.Connection, source: Project, *, include_answers: bool) -> None:
    src = source.conn
    if include_answers:
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)", src.execute("SELECT key, value FROM meta")
        )
        conn.executemany(
            "INSERT INTO answers (id, respondent_id, question_id, text, attributes, position)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            src.execute("SELECT id, respondent_id, question_id, text, attributes, position FROM answers"),
        )
    codebook_ids = {}
    for row in src.execute("SELECT * FROM codebooks ORDER BY id"):
        conn.execute(
            "INSERT OR IGNORE INTO codebooks (name, version, language, yaml, codes_json, sha256, added_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                row["name"],
                row["version"],
                row["language"],
                row["yaml"],
                row["codes_json"],
                row["sha256"],
                row["added_at"],
            ),
        )
        codebook_ids[row["id"]] = conn.execute(
            "SELECT id FROM codebooks WHERE sha256 = ?", (row["sha256"],)
        ).fetchone()[0]
        conn.executemany(
            "INSERT OR IGNORE INTO reference_answers (codebook_id, position, text, codes)"
            " VALUES (?, ?, ?, ?)",
            [
                (codebook_ids[row["id"]], *reference)
                for reference in src.execute(
                    "SELECT position, text, codes FROM reference_answers WHERE codebook_id = ?", (row["id"],)
                )
            ],
        )
    for row in src.execute("SELECT * FROM runs ORDER BY created_at, rowid"):
        values = dict(row)
        values["codebook_id"] = codebook_ids.get(values["codebook_id"])
        cursor = conn.execute(
            "INSERT OR IGNORE INTO runs (id, created_at, seed, threshold, params, codebook_id, n_labels,"
            " tool_version)"
            " VALUES (:id, :created_at, :seed, :threshold, :params, :codebook_id, :n_labels, :tool_version)",
            values,
        )
        if cursor.rowcount:
            conn.executemany(
                _INSERT_SUGGESTION,
                src.execute(
                    "SELECT run_id, answer_id, code, confidence, evidence FROM suggestions WHERE run_id = ?",
                    (row["id"],),
                ),
            )
    # «kari» of the second copy is the first copy's «Kari»: a name is one coder whatever its case, unless a
    # copy an older coder wrote keeps both spellings apart (then each stays as it is)
    known = [row[0] for row in conn.execute("SELECT coder FROM decisions GROUP BY coder ORDER BY MIN(seq)")]
    spelled = _one_spelling(known)
    ours = _one_spelling(source.coders())

    def spelling(coder: str) -> str:
        if coder in known or coder.casefold() not in ours:
            return coder
        return spelled.get(coder.casefold(), coder)

    conn.executemany(
        "INSERT OR IGNORE INTO decisions (uuid, batch, answer_id, code, action, coder, decided_at, run_id,"
        " confidence, mode, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (*row[:5], spelling(row[5]), *row[6:])
            for row in src.execute(
                "SELECT uuid, batch, answer_id, code, action, coder, decided_at, run_id, confidence, mode,"
                " undoes FROM decisions ORDER BY seq"
            )
        ),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO seen_batches (batch) VALUES (?)", src.execute("SELECT batch FROM seen_batches")
    )


# ----------------------------------------------------------------------------------------------------------
# Exporting codes
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewedCodes:
    """A project's codes for a report: the coders' where they decided, the latest run's elsewhere."""

    codes: pd.DataFrame  # id, code, confidence (1.0 for a coder's code; "" code: decided, no code)
    answers: int
    decided: int  # answers a coder decided
    conflicts: pd.DataFrame  # id, code, one column per coder: left out of the codes
    coders: tuple[str, ...]
    decisions: int  # entries in the decision log (undo entries and the entries they cancel left out)
    run_id: str | None
    answer_ids: tuple[str, ...] = ()  # every answer of the project, coded or not
    decided_by_rule: int = 0  # decided answers no coder read: every decision on them came from a bulk rule
    bulk_decisions: int = 0  # entries in the decision log made by a bulk rule
    read: int = 0  # answers a coder read: some decision on them not made by a bulk rule
    read_in_part: int = 0  # of them, answers still carrying codes of the run that no coder decided
    decided_since_run: int = 0  # answers decided after the run whose codes the undecided answers carry

    @property
    def unread(self) -> int:
        """Answers no coder read: undecided and untouched (machine suggestions or none), or decided by a
        bulk rule alone."""
        return self.answers - self.read


def reviewed_codes(path: str | os.PathLike[str]) -> ReviewedCodes:
    """The codes a report should count: decided answers keep the coders' consensus codes (a conflict is left
    out and listed), undecided answers get the latest suggestion run's codes at its threshold, with their
    confidence (so the report says they are machine suggestions). Without a run, undecided answers are not
    coded yet.

    A cell some coder decided is never filled from the run (see :meth:`Project.coded`).
    """
    with Project.open(path) as project:
        answers = project.answer_ids()
        decided = project.current_codes()
        run_id = project.latest_run()
        machine = None
        if run_id is not None:
            suggestions = project.suggestions(run_id)
            machine = suggestions[suggestions["confidence"] >= project.run_threshold(run_id)]
        codes = project.coded(machine)
        from_run = set(codes.loc[codes["machine"], "id"])
        codes = codes.drop(columns="machine")
        if machine is None:  # no suggestions: an undecided answer is not coded yet (a codes file)
            codes = codes.drop(columns="confidence")
        log = project.effective_log()
        bulk = log["mode"] == "bulk"
        read = set(log.loc[~bulk, "answer_id"])  # a bulk rule (`review --accept-from`) reads no answer
        return ReviewedCodes(
            codes=codes,
            answers=len(answers),
            decided=decided["id"].nunique(),
            conflicts=project.conflicts(),
            coders=tuple(project.coders()),
            decisions=len(log),
            run_id=run_id,
            answer_ids=tuple(answers),
            decided_by_rule=len(set(decided["id"]) - read),
            bulk_decisions=int(bulk.sum()),
            read=len(read & set(answers)),
            read_in_part=len(read & from_run),
            decided_since_run=project.decided_since(run_id) if run_id is not None and from_run else 0,
        )


def wide_codes(project: Project, coder: str | None = None) -> pd.DataFrame:
    """One row per respondent: attributes, ``<code>`` and, with questions, ``<question>__<code>``: 1/0/empty.

    ``<question>__<code>`` is the cell of the respondent's answer to that question: 1 present, 0 absent
    (decided so, or implied by a decided answer a coder read), empty when undecided (not answered, not yet
    coded, only other codes decided by a bulk rule, or a consensus conflict). ``<code>`` is 1 when any
    answer of the respondent has the code, 0 when every answer has it decided absent, else empty (an
    answer not yet decided may still have it: a 0 there would count the respondent as not mentioning it).
    """
    answers = project.answers()
    code_ids = project.codebook().code_ids
    cells = project.cells(coder)
    cells = cells[cells["status"] == "agreed"]
    value = {(a, c): int(v) for a, c, v in zip(cells["id"], cells["code"], cells["present"], strict=True)}
    attr_names = [c for c in answers.columns if c not in ("id", "respondent_id", "question_id", "text")]
    questions = [q for q in dict.fromkeys(answers["question_id"]) if q]

    def combine(ids: list[str], code: str) -> Any:
        seen = [value[(a, code)] for a in ids if (a, code) in value]
        return 1 if 1 in seen else 0 if seen and len(seen) == len(ids) else pd.NA

    rows = []
    for respondent, group in answers.groupby("respondent_id", sort=False):
        row: dict[str, Any] = {"respondent_id": respondent}
        for name in attr_names:
            row[name] = next((v for v in group[name] if v), "")
        ids = list(group["id"])
        for code in code_ids:
            row[code] = combine(ids, code)
        for question in questions:
            asked = [a for a, q in zip(group["id"], group["question_id"], strict=True) if q == question]
            for code in code_ids:
                row[f"{question}__{code}"] = combine(asked, code)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in frame.columns[1 + len(attr_names) :]:
        frame[column] = frame[column].astype("Int64")
    return frame


def export_codes(
    project_path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    layout: str = "long",
    coder: str | None = None,
) -> list[Path]:
    """Write the codes of the decided answers of a project; return the files written.

    ``layout``: ``long`` (one row per decided answer × present code: ``id, respondent_id,
    question_id, code, coder, decided_at, status, votes``; a decided answer without codes has one row with
    an empty code; consensus conflicts are extra rows with ``status == "conflict"``, the rest ``agreed``;
    ``votes`` says each coder's value, ``kari=1, ola=0``),
    ``wide`` (see :func:`wide_codes`) or ``labels`` (``id, code, present``
    as :meth:`Project.labels`, for ``coder suggest --labels`` and ``coder link --codes``: every decided
    code with 1 or 0, and a row with an empty code for each answer coded in full (closed); a code decided
    on an open answer is a partial label, and its other codes stay undecided). Long and wide also write the
    code co-occurrence table: a second sheet ``cooccurrence`` in XLSX, a sibling ``<name>.cooccurrence.csv``
    for CSV; XLSX also gets a ``provenance`` sheet (project, export time, view, codebook version).
    ``coder`` exports one coder's view instead of the consensus.
    """
    out = Path(out)
    fmt = layout
    if fmt not in ("long", "wide", "labels"):
        raise CoderError(f"unknown export layout '{fmt}' (use long, wide or labels)", key="layout")
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise CoderError("the output must end in .csv or .xlsx", file=out)
    with Project.open(project_path) as project:
        coder = None if coder is None else project.logged_name(coder)
        if coder is not None and coder not in project.coders():
            raise CoderError(f"coder '{coder}' has no decisions in this project", key="coder")
        current = project.current_codes(coder)
        cells = project.cells(coder)
        conflicts = cells[cells["status"] == "conflict"]
        code_ids = project.codebook().code_ids
        if fmt == "labels":
            # Partial decisions stay partial: only closed answers are coded in full (a row with no code).
            return [write_table(project.labels(coder), out)]
        if fmt == "wide":
            table = wide_codes(project, coder)
        else:
            present = cells[(cells["status"] == "agreed") & (cells["present"] == 1)]
            left_out = present[~present["id"].isin(set(current["id"]))]
            if len(left_out):  # else its counts differ from wide's without a word
                message = (
                    f"{len(left_out)} code(s) decided present on {left_out['id'].nunique()} answer(s) not "
                    "decided in full are not in the long table (it holds answers decided in full); the wide "
                    "and labels layouts hold them"
                )
                warnings.warn(PartlyDecidedWarning(message), stacklevel=2)
            answers = project.answers().set_index("id")
            votes = dict(zip(zip(cells["id"], cells["code"], strict=True), cells["votes"], strict=True))
            rows = project._sorted(
                pd.concat(
                    [current.assign(status="agreed"), conflicts[current.columns].assign(status="conflict")],
                    ignore_index=True,
                )
            )
            table = pd.DataFrame(
                {
                    "id": rows["id"],
                    "respondent_id": rows["id"].map(answers["respondent_id"]),
                    "question_id": rows["id"].map(answers["question_id"]),
                    "code": rows["code"],
                    "coder": rows["coder"],
                    "decided_at": rows["decided_at"],
                    "status": rows["status"],
                    # who said what: a conflict's «kari, ola» alone does not say who found the code
                    "votes": [votes.get(cell, "") for cell in zip(rows["id"], rows["code"], strict=True)],
                }
            )
        co = cooccurrence(current[current["code"] != ""], code_ids).reset_index()
        book = project.codebook()
        record = provenance(
            project=str(project.path),
            project_id=project.meta().get("project_id", ""),
            view=f"coder {coder}" if coder else "consensus (codes all deciding coders agree on)",
            codebook=f"{book.name} {book.version}",
            decided_answers=len(project.decided(coder)),
        )
        del record["inputs"]  # none: the project is named by its path and id
        sheet = pd.DataFrame({"key": list(record), "value": [str(value) for value in record.values()]})
    if suffix == ".xlsx":
        return [write_excel(out, {"codes": table, "cooccurrence": co, "provenance": sheet})]
    sibling = check_output_file(out.with_name(f"{out.stem}.cooccurrence.csv"))  # before the first is written
    return [write_table(table, out), write_table(co, sibling)]


def import_codes(
    project_path: str | os.PathLike[str], codes: str | os.PathLike[str] | pd.DataFrame, *, coder: str
) -> dict[str, int | str]:
    """Log answers a coder coded outside the project (by hand, in NVivo, in a spreadsheet) as that coder's
    decisions, blind, in one transaction; return the counts ``answers``, ``closed`` and ``codes`` (present)
    and ``coder``, the name as logged.

    ``codes`` is what ``coder suggest --labels`` reads (:func:`coder.classify.read_labels`): ``id,code``
    (or ``id,codes`` split by ``;``; a code by its id or its label), every id listed coded in full (its
    other codes absent, an empty code meaning no code); with a ``present`` column, as ``coder codes export
    --layout labels`` writes, each row decides one code and a row with an empty code closes the answer.
    The answers then leave the coder's review queue, teach the next ``coder suggest --project`` and count
    in ``coder agreement``. An answer the coder has decided on in the project already is refused (a second
    import would log each code twice, and which one holds would depend on the order); a bulk rule's entries
    and undone ones do not count (the import's, later, hold; a code such a rule accepted on an answer the
    file codes in full, and does not give, is removed).

    >>> import tempfile
    >>> answers = pd.DataFrame({"id": ["r1:q1", "r2:q1"], "text": ["Mangler oppfølging", "Kort vei"]})
    >>> path = Path(tempfile.mkdtemp()) / "project.db"
    >>> init(path, answers, codebook_module.load()).close()
    >>> hand = pd.DataFrame({"id": ["r1:q1", "r2:q1"], "code": ["Oppfølging av beboere", ""]})
    >>> import_codes(path, hand, coder="kari")
    {'answers': 2, 'closed': 2, 'codes': 1, 'coder': 'kari'}
    """
    from coder import classify  # late, as in Project: the labels' reader and checks

    with Project.open(project_path) as project:
        name = project.logged_name(coder_name(coder))
        ids, book = project.answer_ids(), project.codebook()
        if isinstance(codes, pd.DataFrame):
            labels = classify.tidy_labels(codes, book, ids=ids)
            classify.check_labels(labels, ids, book)
        else:
            labels = classify.read_labels(codes, ids, book)
        listed = list(dict.fromkeys(labels["id"]))
        log = project.effective_log(name)
        read = set(log.loc[log["mode"] != "bulk", "answer_id"])  # a bulk rule read nothing: overridden
        again = [answer for answer in listed if answer in read]
        if again:
            raise CoderError(
                f"coder '{name}' has decided {len(again)} of these answers in the project already (first: "
                f"'{again[0]}'): leave them out of the file, or import them as another coder",
                key="coder",
            )
        present = labels["present"] if "present" in labels else pd.Series(1, index=labels.index)
        decisions: list[Decision] = []
        for answer, code, value in dict.fromkeys(zip(labels["id"], labels["code"], present, strict=True)):
            if code:  # a row given twice is logged once
                decisions.append(Decision(answer, code, "add" if value == 1 else "remove"))
        # without `present` every listed answer is coded in full; with it, its empty-code rows close
        empty = labels.loc[labels["code"] == "", "id"].astype(str)
        closing = listed if "present" not in labels else list(dict.fromkeys(empty))
        # a closing keeps the codes accepted before it: one a bulk rule accepted and the file leaves out goes
        given = set(zip(labels["id"], labels["code"], strict=True))
        state = project.decision_state(name)
        bulk_set = state[state["action"].isin(["accept", "add"]) & state["answer_id"].isin(set(closing))]
        decisions += [
            Decision(answer, code, "remove")
            for answer, code in zip(bulk_set["answer_id"], bulk_set["code"], strict=True)
            if (answer, code) not in given
        ]
        decisions += [Decision(answer, "", "none") for answer in closing]
        project.record(name, decisions, mode="import")
    codes_added = sum(d.action == "add" for d in decisions)
    return {"answers": len(listed), "closed": len(closing), "codes": codes_added, "coder": name}
