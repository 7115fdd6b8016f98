"""The coding project: one SQLite file with the answers, the codebook, suggestion runs and the decision log.

A project is self-contained (it keeps the codebook YAML) and holds personal survey data, so the file is
created with permissions 0600 (SQLite gives its ``-wal``/``-shm`` files the same mode).

Schema (``PRAGMA user_version`` = :data:`SCHEMA_VERSION`; :data:`MIGRATIONS` upgrades older files)::

    meta(key PRIMARY KEY, value)                      project id, created_at, tool version, sources
    codebooks(id, name, version, language, yaml, codes_json, sha256 UNIQUE, added_at)
    answers(id PRIMARY KEY, respondent_id, question_id, text, attributes JSON, position)
    runs(id UUID PRIMARY KEY, created_at, seed, threshold, params JSON, codebook_id, n_labels, tool_version)
    suggestions(run_id, answer_id, code, confidence, evidence)   PRIMARY KEY (run_id, answer_id, code)
    decisions(seq, uuid UNIQUE, batch, answer_id, code, action, coder, decided_at, run_id, confidence,
              mode, undoes)                            append-only: triggers abort UPDATE and DELETE

Decisions (``action``): ``accept`` / ``reject`` answer a suggestion of run ``run_id``; ``add`` / ``remove``
set a code the coder chose; ``none`` (code ``""``) records "decided: no code" for an answer; ``undo``
(``undoes`` = the uuid of the entry it cancels) is how a decision is taken back -- nothing is ever deleted.
Entries made by one command share a ``batch`` id, and undo cancels the coder's latest batch.

**Current codes** are a fold of the log, in order of (``decided_at``, ``seq``): drop undo entries and the
entries they cancel; then for every (answer, code, coder) the last entry wins -- accept/add = the code is
present, reject/remove = absent. An answer counts as *decided* by a coder when that coder has at least one
remaining entry on it. The project's *consensus* (``coder=None``) uses the same fold over all coders: for
every (answer, code) the latest decision by any coder wins; an answer is decided when any coder decided it.

>>> project = init("project.db", answers, codebook)  # doctest: +SKIP
>>> project.record("kari", [Decision("r1:q1", "follow_up", "add")])  # doctest: +SKIP
>>> project.current_codes()  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from coder import __version__
from coder.codebook import Code, Codebook
from coder.errors import CoderError
from coder.io import atomic_write, read_answers, write_table

__all__ = [
    "ACTIONS",
    "SCHEMA_VERSION",
    "Decision",
    "Project",
    "export_codes",
    "init",
    "merge",
    "suggest",
]

POSITIVE = frozenset({"accept", "add"})
NEGATIVE = frozenset({"reject", "remove"})
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

#: MIGRATIONS[i] upgrades a file from schema version i to i + 1 (version 0 = empty file).
MIGRATIONS: list[str] = [_SCHEMA_V1]
#: Suggestions from this confidence up are stored with a run, so review can show and reject uncertain ones.
STORED_CONFIDENCE_FLOOR = 0.05
SCHEMA_VERSION = len(MIGRATIONS)


def _now() -> str:
    # Sortable UTC text with microseconds: the fold orders decisions by it (then by seq).
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Decision:
    """One decision to log: ``action`` on ``code`` of answer ``answer_id``.

    ``run_id``/``confidence`` name the suggestion it answered (accept/reject). ``action="none"`` with
    ``code=""`` records that the answer was decided to carry no code.
    """

    answer_id: str
    code: str
    action: str
    run_id: str | None = None
    confidence: float | None = None


def _create_private_file(path: Path) -> None:
    """Create ``path`` with mode 0600 before SQLite opens it, so it is never readable by others."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise CoderError("already exists (choose another name or delete it first)", file=path) from None
    except OSError as error:
        raise CoderError(f"cannot create the project: {error.strerror}", file=path) from None
    os.close(fd)
    os.chmod(path, 0o600)  # the umask may have narrowed the mode further; never widen beyond 0600


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=10.0)  # autocommit; explicit transactions
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")  # a committed decision survives a power cut, not only a kill
    conn.execute("PRAGMA busy_timeout = 10000")  # two coders on one file wait for each other's commits
    return conn


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise CoderError(
            f"the project has schema version {version}; this coder knows up to {SCHEMA_VERSION}"
            " (upgrade coder)",
            file=path,
        )
    for target in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[target]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a schema script into statements (executescript would commit our transaction)."""
    statements, buffer = [], ""
    for line in script.strip().splitlines():
        buffer += line + "\n"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return statements


def _code_dict(code: Code) -> dict[str, Any]:
    return dataclasses.asdict(code)


def _code_from_dict(data: dict[str, Any]) -> Code:
    fields = {f.name for f in dataclasses.fields(Code)}
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in fields}
    return Code(**values)


class Project:
    """An open coding project. Use :meth:`open` (or :func:`init`) and close it, e.g. in a ``with`` block.

    Every write is one SQLite transaction committed before the method returns.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    # -- opening -------------------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Project:
        """Open an existing project (applying pending schema migrations)."""
        path = Path(path)
        if not path.exists():
            raise CoderError("project not found (create it with `coder init`)", file=path)
        if path.is_dir():
            raise CoderError("expected a project file, found a directory", file=path)
        try:
            conn = _connect(path)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError:
            raise CoderError("not a coding project (not an SQLite file)", file=path) from None
        if version == 0 or "decisions" not in tables:
            conn.close()
            raise CoderError("not a coding project (create one with `coder init`)", file=path)
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
        """One write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``), rolled back on any error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

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
        """The project's (latest) codebook, rebuilt from the stored codes."""
        row = self._codebook_row()
        codes = tuple(_code_from_dict(item) for item in json.loads(row["codes_json"]))
        return Codebook(name=row["name"], language=row["language"], version=row["version"], codes=codes)

    def codebook_yaml(self) -> str:
        """The codebook YAML text as it was given to ``coder init``."""
        return self._codebook_row()["yaml"]

    def coders(self) -> list[str]:
        """Every coder with an entry in the log, in order of first decision."""
        rows = self.conn.execute("SELECT coder FROM decisions GROUP BY coder ORDER BY MIN(seq)")
        return [row[0] for row in rows]

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
        try:
            from coder.classify import DEFAULT_THRESHOLD
        except ImportError:
            return 0.5
        return float(DEFAULT_THRESHOLD)

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

    def record(self, coder: str, decisions: Iterable[Decision], *, mode: str = "interactive") -> str:
        """Append ``decisions`` by ``coder`` to the log in one committed transaction; return the batch id."""
        coder = coder.strip()
        if not coder:
            raise CoderError("the coder name is empty", key="--coder")
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        decisions = list(decisions)
        code_ids = set(self.codebook().code_ids)
        known = set(self.answer_ids())
        for decision in decisions:
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
        return batch

    def undo(self, coder: str) -> list[str]:
        """Cancel ``coder``'s latest batch that still has effect, by logging undo entries.

        Returns the answer ids it touched (empty when there is nothing to undo).
        """
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
        return list(dict.fromkeys(t["answer_id"] for t in targets))

    def log(self, coder: str | None = None) -> pd.DataFrame:
        """The raw decision log (every entry, undo entries included) in fold order."""
        columns = [
            "seq", "uuid", "batch", "answer_id", "code", "action", "coder", "decided_at", "run_id",
            "confidence", "mode", "undoes",
        ]  # fmt: skip
        sql = f"SELECT {', '.join(columns)} FROM decisions"
        args: tuple[Any, ...] = ()
        if coder is not None:
            sql += " WHERE coder = ?"
            args = (coder,)
        rows = self.conn.execute(sql + " ORDER BY decided_at, seq", args).fetchall()
        return pd.DataFrame([tuple(r) for r in rows], columns=columns)

    def effective_log(self, coder: str | None = None) -> pd.DataFrame:
        """The log without undo entries and the entries they cancelled, in fold order."""
        log = self.log(coder)
        undone = set(log.loc[log["action"] == "undo", "undoes"])  # an undo is always by its target's coder
        return log[(log["action"] != "undo") & ~log["uuid"].isin(undone)].reset_index(drop=True)

    def decision_state(self, coder: str | None = None) -> pd.DataFrame:
        """The last remaining entry per (answer, code[, coder]): ``answer_id, code, action, coder, ...``.

        With ``coder=None`` the state is the consensus: the latest decision by any coder per (answer, code).
        """
        log = self.effective_log(coder)
        log = log[log["action"] != "none"]
        return log.drop_duplicates(["answer_id", "code"], keep="last").reset_index(drop=True)

    def decided(self, coder: str | None = None) -> set[str]:
        """The answers with at least one remaining decision (by ``coder``, or by anyone)."""
        return set(self.effective_log(coder)["answer_id"])

    def current_codes(self, coder: str | None = None) -> pd.DataFrame:
        """The codes in force, folded from the log (see the module docs): long, one row per answer × code.

        Columns ``id, code, coder, decided_at, action, run_id``: who decided the code and when. A decided
        answer without any code has one row with ``code == ""`` (the codes-file convention).
        """
        state = self.decision_state(coder)
        present = state[state["action"].isin(POSITIVE)]
        frame = pd.DataFrame(
            {
                "id": present["answer_id"],
                "code": present["code"],
                "coder": present["coder"],
                "decided_at": present["decided_at"],
                "action": present["action"],
                "run_id": present["run_id"],
            }
        )
        log = self.effective_log(coder)
        last = log.drop_duplicates("answer_id", keep="last").set_index("answer_id")
        empty = [a for a in dict.fromkeys(log["answer_id"]) if a not in set(frame["id"])]
        blanks = pd.DataFrame(
            {
                "id": empty,
                "code": "",
                "coder": [last.at[a, "coder"] for a in empty],
                "decided_at": [last.at[a, "decided_at"] for a in empty],
                "action": [last.at[a, "action"] for a in empty],
                "run_id": [last.at[a, "run_id"] for a in empty],
            }
        )
        frame = pd.concat([frame, blanks], ignore_index=True) if len(blanks) else frame
        order = {answer: i for i, answer in enumerate(self.answer_ids())}
        codes = {code: i for i, code in enumerate(self.codebook().code_ids)}
        frame = frame.assign(_a=frame["id"].map(order), _c=frame["code"].map(codes).fillna(-1))
        return frame.sort_values(["_a", "_c"]).drop(columns=["_a", "_c"]).reset_index(drop=True)

    def labels(self, coder: str | None = None) -> pd.DataFrame:
        """Long ``id, code`` of every decided answer (``code == ""``: decided, no code): classifier labels."""
        return self.current_codes(coder)[["id", "code"]].reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------------
# Creating a project
# ----------------------------------------------------------------------------------------------------------


def _load_codebook(codebook: Codebook | str | os.PathLike[str] | None) -> tuple[Codebook, str]:
    """The codebook and its YAML text (``None``: the default codebook)."""
    from coder import codebook as codebook_module

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
    try:
        from coder import survey
    except ImportError:
        raise CoderError("survey manifests are not supported yet (coder.survey)", file=manifest) from None
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
    if manifest is not None:
        frame = _survey_answers(manifest)
        source = str(manifest)
    elif answers is None:
        raise CoderError("give the answers (--answers FILE) or a survey manifest (--manifest FILE)")
    elif isinstance(answers, pd.DataFrame):
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
    frame["id"] = frame["id"].astype(str).str.strip()
    frame["text"] = frame["text"].fillna("").astype(str)  # an empty answer stays an (uncoded) answer
    if "respondent_id" not in frame.columns:
        frame["respondent_id"] = frame["id"]
    if "question_id" not in frame.columns:
        frame["question_id"] = ""
    duplicated = frame.loc[frame["id"].duplicated(), "id"]
    if not duplicated.empty:
        raise CoderError(f"duplicate answer id '{duplicated.iloc[0]}'")
    if frame.empty:
        raise CoderError("there are no answers")
    book, text = _load_codebook(codebook)
    if not book.codes:
        raise CoderError("the codebook has no codes")
    if path.parent and not path.parent.exists():
        raise CoderError("output directory does not exist", file=path.parent)
    _create_private_file(path)
    try:
        conn = _connect(path)
        _migrate(conn, path)
        project = Project(path, conn)
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
    except BaseException:
        with contextlib.suppress(Exception):
            conn.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{path}{suffix}")
        raise
    return project


def _insert_codebook(conn: sqlite3.Connection, book: Codebook, text: str, now: str) -> None:
    codes_json = json.dumps([_code_dict(c) for c in book.codes], ensure_ascii=False)
    sha = hashlib.sha256((text + "\0" + codes_json).encode("utf-8")).hexdigest()
    conn.execute(
        "INSERT OR IGNORE INTO codebooks (name, version, language, yaml, codes_json, sha256, added_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (book.name, book.version, book.language, text, codes_json, sha, now),
    )


# ----------------------------------------------------------------------------------------------------------
# Suggesting (the classifier learns from the decisions so far)
# ----------------------------------------------------------------------------------------------------------


def suggest(project_path: str | os.PathLike[str], *, seed: int = 0, threshold: float | None = None) -> str:
    """Run :func:`coder.classify.suggest` on every answer of a project and store the run; return its id.

    The labels are the project's current (consensus) codes of every decided answer: accepted and added
    codes are positives, every other code of a decided answer a negative.
    """
    from coder import classify  # imported here: the project works before (and without) the classifier

    with Project.open(project_path) as project:
        answers = project.answers()[["id", "text"]]
        labels = project.labels()
        effective = classify.DEFAULT_THRESHOLD if threshold is None else threshold
        # Keep the uncertain suggestions below the threshold too: review shows them and can reject them.
        suggestions = classify.suggest(
            answers,
            project.codebook(),
            labels=labels if len(labels) else None,
            threshold=min(STORED_CONFIDENCE_FLOOR, effective),
            seed=seed,
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
    follows ``a`` then ``b``; it only breaks ties in the fold, which orders by decision time. Codebooks of
    both are kept (the latest added is in force); ``meta`` is ``a``'s plus ``merged_from``.
    """
    out = Path(out)
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
        _create_private_file(out)
        try:
            conn = _connect(out)
            _migrate(conn, out)
            merged = Project(out, conn)
            with merged.transaction():
                conn.execute("PRAGMA defer_foreign_keys = ON")
                _copy_into(conn, first, include_answers=True)
                _copy_into(conn, second, include_answers=False)
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('merged_from', ?)",
                    (json.dumps([str(a), str(b)]),),
                )
            merged.close()
        except BaseException:
            with contextlib.suppress(Exception):
                conn.close()
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{out}{suffix}")
            raise
    return out


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
    conn.executemany(
        "INSERT OR IGNORE INTO decisions (uuid, batch, answer_id, code, action, coder, decided_at, run_id,"
        " confidence, mode, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        src.execute(
            "SELECT uuid, batch, answer_id, code, action, coder, decided_at, run_id, confidence, mode, undoes"
            " FROM decisions ORDER BY seq"
        ),
    )


# ----------------------------------------------------------------------------------------------------------
# Exporting codes
# ----------------------------------------------------------------------------------------------------------


def cooccurrence(codes: pd.DataFrame, code_ids: Sequence[str]) -> pd.DataFrame:
    """Code × code counts of answers carrying both codes (the diagonal: answers with the code).

    >>> codes = pd.DataFrame({"id": ["a", "a", "b"], "code": ["x", "y", "x"]})
    >>> cooccurrence(codes, ["x", "y"]).values.tolist()
    [[2, 1], [1, 1]]
    """
    from coder.reliability import indicator_matrix

    ids = list(dict.fromkeys(codes["id"]))
    matrix = indicator_matrix(codes, ids, code_ids)
    counts = matrix.T @ matrix
    frame = pd.DataFrame(counts, index=list(code_ids), columns=list(code_ids))
    frame.index.name = "code"
    return frame


def wide_codes(project: Project, coder: str | None = None) -> pd.DataFrame:
    """One row per respondent: attributes, ``<code>`` and, with questions, ``<question>__<code>`` as 0/1.

    ``<question>__<code>`` is 1/0 when the respondent's answer to that question was decided and empty
    otherwise (not answered or not yet coded); ``<code>`` is 1 when any decided answer of the respondent
    carries the code, 0 when the respondent has decided answers and none carries it, empty without any.
    """
    answers = project.answers()
    code_ids = project.codebook().code_ids
    current = project.current_codes(coder)
    decided = set(current["id"])
    present = set(zip(current["id"], current["code"], strict=True))
    attr_names = [c for c in answers.columns if c not in ("id", "respondent_id", "question_id", "text")]
    questions = [q for q in dict.fromkeys(answers["question_id"]) if q]
    rows = []
    for respondent, group in answers.groupby("respondent_id", sort=False):
        row: dict[str, Any] = {"respondent_id": respondent}
        for name in attr_names:
            row[name] = next((v for v in group[name] if v), "")
        mine = [a for a in group["id"] if a in decided]
        for code in code_ids:
            row[code] = (1 if any((a, code) in present for a in mine) else 0) if mine else pd.NA
        for question in questions:
            ids = [
                a
                for a, q in zip(group["id"], group["question_id"], strict=True)
                if q == question and a in decided
            ]
            for code in code_ids:
                row[f"{question}__{code}"] = (
                    (1 if any((a, code) in present for a in ids) else 0) if ids else pd.NA
                )
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in frame.columns[1 + len(attr_names) :]:
        frame[column] = frame[column].astype("Int64")
    return frame


def export_codes(
    project_path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    wide: bool = False,
    fmt: str = "long",
    coder: str | None = None,
) -> list[Path]:
    """Write the current codes of a project; return the files written.

    ``fmt``: ``long`` (one row per answer × code: ``id, respondent_id, question_id, code, coder,
    decided_at``; a decided answer without codes has one row with an empty code), ``wide`` (see
    :func:`wide_codes`; ``wide=True`` is the same) or ``labels`` (``id,code`` only, for ``coder suggest
    --labels`` and ``coder link --codes``). Long and wide also write the code co-occurrence table: a
    second sheet ``cooccurrence`` in XLSX, a sibling ``<name>.cooccurrence.csv`` for CSV; XLSX also gets
    a ``provenance`` sheet (project, export time, view, codebook version). ``coder`` exports one coder's
    view instead of the consensus.
    """
    out = Path(out)
    fmt = "wide" if wide else fmt
    if fmt not in ("long", "wide", "labels"):
        raise CoderError(f"unknown export format '{fmt}' (use long, wide or labels)", key="--format")
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise CoderError("the output must end in .csv or .xlsx", file=out)
    with Project.open(project_path) as project:
        if coder is not None and coder not in project.coders():
            raise CoderError(f"coder '{coder}' has no decisions in this project", key="--coder")
        current = project.current_codes(coder)
        code_ids = project.codebook().code_ids
        if fmt == "labels":
            return [write_table(current[["id", "code"]], out)]
        if fmt == "wide":
            table = wide_codes(project, coder)
        else:
            answers = project.answers().set_index("id")
            table = pd.DataFrame(
                {
                    "id": current["id"],
                    "respondent_id": current["id"].map(answers["respondent_id"]),
                    "question_id": current["id"].map(answers["question_id"]),
                    "code": current["code"],
                    "coder": current["coder"],
                    "decided_at": current["decided_at"],
                }
            )
        co = cooccurrence(current[current["code"] != ""], code_ids).reset_index()
        book = project.codebook()
        provenance = pd.DataFrame(
            {
                "key": [
                    "project",
                    "project_id",
                    "exported_at",
                    "view",
                    "codebook",
                    "decided_answers",
                    "tool",
                ],
                "value": [
                    str(project.path),
                    project.meta().get("project_id", ""),
                    _now(),
                    f"coder {coder}" if coder else "consensus (latest decision by any coder)",
                    f"{book.name} {book.version}",
                    str(current["id"].nunique()),
                    f"coder {__version__}",
                ],
            }
        )
    if suffix == ".xlsx":
        with atomic_write(out, "wb") as handle, pd.ExcelWriter(handle, engine="openpyxl") as writer:
            table.to_excel(writer, sheet_name="codes", index=False)
            co.to_excel(writer, sheet_name="cooccurrence", index=False)
            provenance.to_excel(writer, sheet_name="provenance", index=False)
        return [out]
    sibling = out.with_name(f"{out.stem}.cooccurrence.csv")
    return [write_table(table, out), write_table(co, sibling)]
