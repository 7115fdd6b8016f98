"""`coder review`: the interactive loop driven by scripted keys, bulk mode, ordering and a SIGKILL."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from coder import review_screen as review_module
from coder import store
from coder.cli import app
from coder.codebook import Code, Codebook
from coder.errors import CoderError
from coder.review import Filter, bulk_review, parse_filter, queue
from coder.review_screen import evidence_words
from coder.store import Decision, Project

runner = CliRunner()

CODEBOOK = Codebook(
    name="test",
    language="nb",
    version="1",
    codes=(
        Code("follow_up", "Oppfølging av beboere", description="Tema."),
        Code("anchoring", "Politisk og administrativ forankring", description="Tema."),
        Code("coordination", "Samordning og samarbeid på tvers", description="Tema."),
        Code("meeting_places", "Formelle møteplasser", description="Tema."),
    ),
)
ANSWERS = pd.DataFrame(
    {
        "id": ["a1", "a2", "a3", "a4", "a5"],
        "respondent_id": ["r1", "r1", "r2", "r2", "r3"],
        "question_id": ["styrker", "utfordringer", "styrker", "utfordringer", "styrker"],
        "text": [
            "God oppfølging av beboerne",
            "Lite politisk forankring og dårlig samordning",
            "Faste møter hver måned",
            "Ingen arena for dette",
            "Kort vei",
        ],
        "municipality": ["Oppdal", "Oppdal", "Rissa", "Rissa", "Volda"],
    }
)
# Confidences chosen so the informativeness order is known: distance to the threshold 0.5.
SUGGESTIONS = pd.DataFrame(
    {
        "id": ["a1", "a2", "a2", "a3", "a4"],
        "code": ["follow_up", "anchoring", "coordination", "meeting_places", "meeting_places"],
        "confidence": [0.97, 0.62, 0.9, 0.45, 0.08],
        "evidence": ["oppfølging; beboer", "keywords: forankring*", "samordning", "møte", "arena"],
    }
)
# margins: a1 0.47, a2 0.12, a3 0.05, a4 0.42, a5 0.5 (no suggestion) -> a3, a2, a4, a1, a5


@pytest.fixture
def project(tmp_path: Path) -> Project:
    opened = store.init(tmp_path / "project.db", ANSWERS, CODEBOOK)
    opened.add_suggestion_run(SUGGESTIONS, {"test": True}, seed=0, threshold=0.5)
    yield opened
    opened.close()


def _codes(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["id"], frame["code"], strict=True))


def _review(project: Project, keys: str, *args: str):
    return runner.invoke(app, ["review", str(project.path), "--coder", "kari", *args], input=keys)


# -- order and filters -----------------------------------------------------------------------------


def test_queue_puts_the_least_certain_undecided_answers_first(project: Project) -> None:
    assert queue(project, "kari") == ["a3", "a2", "a4", "a1", "a5"]
    project.record("kari", [Decision("a3", "meeting_places", "add")])
    assert queue(project, "kari") == ["a2", "a4", "a1", "a5", "a3"]  # decided answers go last
    assert queue(project, "kari", filter=Filter(undecided=True)) == ["a2", "a4", "a1", "a5"]
    assert queue(project, "kari", filter=Filter(band="high")) == ["a2", "a1"]
    assert queue(project, "kari", filter=Filter(band="low")) == ["a4", "a5"]
    assert queue(project, "kari", filter=Filter(question="styrker")) == ["a1", "a5", "a3"]
    assert queue(project, "kari", filter=Filter(code="meeting_places")) == ["a4", "a3"]


def test_queue_shows_disagreements_first_unless_blind(project: Project) -> None:
    project.record("ola", [Decision("a5", "follow_up", "add")])
    project.record("per", [Decision("a5", "", "none")])
    assert queue(project, "kari", blind=False)[0] == "a5"
    assert queue(project, "kari")[0] == "a3"  # blind: the others' decisions do not steer the order


def test_parse_filter() -> None:
    assert parse_filter("") == Filter()
    assert parse_filter("code=follow_up | question=q1 | band=mid | undecided") == Filter(
        code="follow_up", question="q1", band="mid", undecided=True
    )
    with pytest.raises(CoderError, match="unknown band 'medium'"):
        parse_filter("band=medium")
    with pytest.raises(CoderError, match="cannot read the filter 'colour=red'"):
        parse_filter("colour=red")
    with pytest.raises(CoderError, match="code 'housing' is not in the codebook"):
        parse_filter("code=housing", CODEBOOK.code_ids)


def test_evidence_words_skip_labels_examples_and_wildcards() -> None:
    words = evidence_words(
        "keywords: kommunal bolig*, rus*; terms: NEG_helhet, ta tak; like: «Ingen tar tak»"
    )
    assert words == ["kommunal", "bolig", "rus", "helhet", "tak"]


# -- the interactive loop --------------------------------------------------------------------------


def test_accept_takes_the_models_proposal_and_moves_on(project: Project) -> None:
    result = _review(project, "a\na\nq\n")
    assert result.exit_code == 0, result.output
    log = project.log("kari")
    # a3 first: 0.45 is below the threshold, so "a" rejects it; then a2: both at/above -> accepted;
    # "a" also closes the answer (changed: it used to log only the suggestions)
    assert list(zip(log["answer_id"], log["code"], log["action"], strict=True)) == [
        ("a3", "meeting_places", "reject"),
        ("a3", "", "none"),
        ("a2", "coordination", "accept"),  # suggestions are listed by confidence
        ("a2", "anchoring", "accept"),
        ("a2", "", "none"),
    ]
    assert set(log.loc[log["action"] != "none", "run_id"]) == {project.latest_run()}
    assert project.closed("kari") == {"a2", "a3"}
    assert log.loc[log["code"] == "anchoring", "confidence"].item() == 0.62
    assert _codes(project.current_codes("kari")) == {("a3", ""), ("a2", "anchoring"), ("a2", "coordination")}
    assert "3 decisions saved" in result.output


def test_numbered_add_remove_and_done(project: Project) -> None:
    # a3: skip; a2: accept 2 (anchoring, 0.62), reject 1 (coordination, 0.9), add by label search, remove it
    keys = "s\na 2\nr 1\n+ møteplass\n- meeting\nn\nq\n"
    result = _review(project, keys)
    assert result.exit_code == 0, result.output
    log = project.log("kari")
    assert list(zip(log["code"], log["action"], strict=True)) == [
        ("anchoring", "accept"),
        ("coordination", "reject"),
        ("meeting_places", "add"),
        ("meeting_places", "remove"),
        ("", "none"),  # n closes the answer (changed: it used to log nothing once codes were decided)
    ]
    assert set(log["answer_id"]) == {"a2"}
    assert _codes(project.current_codes("kari")) == {("a2", "anchoring")}


def test_done_without_suggestions_records_no_code(project: Project) -> None:
    result = _review(project, "f band=low\nn\nn\n")
    assert result.exit_code == 0, result.output
    assert "Filter: band=low" in result.output
    # a4: its open suggestion is rejected and the answer closed; a5 has none: closed, "no code"
    labels = project.labels("kari").values.tolist()
    assert labels == [["a4", "", 0], ["a4", "meeting_places", 0], ["a5", "", 0]]
    assert project.log("kari")["action"].tolist() == ["reject", "none", "none"]
    assert "End of the queue" in result.output


def test_undo_goes_back_and_logs_an_undo(project: Project) -> None:
    result = _review(project, "a\nu\n+ forankring\nq\n")
    assert result.exit_code == 0, result.output
    assert "Undone" in result.output
    log = project.log("kari")
    assert log["action"].tolist() == ["reject", "none", "undo", "undo", "add"]  # the close is undone too
    assert log["answer_id"].tolist() == ["a3"] * 5  # back on the answer whose decision was undone
    assert _codes(project.current_codes("kari")) == {("a3", "anchoring")}


def test_mistakes_are_reported_and_change_nothing(project: Project) -> None:
    keys = "x\n+ o\n+ zzz\n- follow_up\nr 7\nu\nf band=huge\n?\nq\n"
    result = _review(project, keys)
    assert result.exit_code == 0, result.output
    assert "unknown command 'x'" in result.output
    assert "'o' matches several codes" in result.output
    assert "no code matches 'zzz'" in result.output
    assert "the answer has no codes to remove" in result.output
    assert "no suggestion number '7'" in result.output
    assert "nothing to undo" in result.output
    assert "unknown band 'huge'" in result.output
    assert "accept the model's proposal" in result.output  # the help
    assert project.log().empty


def test_screen_shows_answer_attributes_bars_and_progress(project: Project) -> None:
    project.record("kari", [Decision("a1", "follow_up", "add")])
    result = _review(project, "q\n")
    first = result.output
    assert "a3" in first and "Faste møter hver måned" in first
    assert re.search(r"municipality +Rissa", first) and re.search(r"question +styrker", first)
    assert "████░░░░░░ 0.45" in first or "█████░░░░░ 0.45" in first
    assert "decided 1/5" in first and "follow_up 1" in first


def test_end_of_input_quits_cleanly(project: Project) -> None:
    result = _review(project, "a\n")
    assert result.exit_code == 0, result.output
    assert project.log("kari")["action"].tolist() == ["reject", "none"]


def test_review_unknown_project_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(tmp_path / "none.db"), "--coder", "kari"], input="q\n")
    assert result.exit_code == 2
    assert "project not found" in result.output


def test_library_review_with_a_scripted_reader(project: Project) -> None:
    lines = iter(["a", "s", "q"])
    console = Console(file=open(os.devnull, "w"), width=100)  # noqa: SIM115 - closed below
    try:
        summary = review_module.review(project.path, "ola", console=console, read_line=lambda _: next(lines))
    finally:
        console.file.close()
    assert summary.decisions == 1 and not summary.finished
    assert project.coders() == ["ola"]


# -- bulk mode -------------------------------------------------------------------------------------


def test_bulk_accepts_and_rejects_confident_suggestions(project: Project) -> None:
    counts = bulk_review(project.path, "kari", accept_from=0.9, reject_below=0.1)
    assert counts == {"accepted": 2, "rejected": 1, "open": 2}
    log = project.log("kari")
    assert set(log["mode"]) == {"bulk"}
    # a2 keeps anchoring (0.62) open: bulk decides single codes and closes nothing, so a2 is not decided
    # (changed: any entry used to make the answer decided, its other codes negatives)
    assert _codes(project.current_codes("kari")) == {("a1", "follow_up"), ("a4", "")}
    assert project.decided("kari") == {"a1", "a4"} and project.closed("kari") == set()
    assert project.labels("kari").values.tolist() == [
        ["a1", "follow_up", 1], ["a2", "coordination", 1], ["a4", "meeting_places", 0]
    ]  # fmt: skip
    again = bulk_review(project.path, "kari", accept_from=0.9, reject_below=0.1)
    assert again == {"accepted": 0, "rejected": 0, "open": 2}  # decided suggestions are not decided twice
    assert len(project.log()) == 3


def test_bulk_accepts_from_the_threshold_and_rejects_below_it(project: Project) -> None:
    # accept_from is >= (the 0.62 suggestion is accepted), reject_below is < (the 0.08 one stays open)
    counts = bulk_review(project, "kari", accept_from=0.62, reject_below=0.08)
    assert counts == {"accepted": 3, "rejected": 0, "open": 2}
    accepted = project.log("kari")
    assert accepted["confidence"].min() == 0.62 and set(accepted["action"]) == {"accept"}
    with pytest.raises(CoderError, match="must not exceed") as error:
        bulk_review(project, "ola", accept_from=0.3, reject_below=0.6)
    assert error.value.key == "reject_below"


def test_cli_bulk(project: Project) -> None:
    result = _review(project, "", "--accept-from", "0.6")
    assert result.exit_code == 0, result.output
    assert "accepted 3, rejected 0 (bulk); 2 left open" in result.output


def test_cli_bulk_then_wide_export_shows_only_what_the_rule_decided(tmp_path: Path, project: Project) -> None:
    assert _review(project, "", "--accept-from", "0.9", "--reject-below", "0.1").exit_code == 0
    cells = project.cells("kari")
    # the rule decided three cells and nothing else (a1 and a4 count as decided answers all the same)
    assert _codes(cells) == {("a1", "follow_up"), ("a2", "coordination"), ("a4", "meeting_places")}
    assert cells["bulk"].all()
    out = tmp_path / "wide.csv"
    result = runner.invoke(app, ["codes", "export", str(project.path), "--out", str(out), "--layout", "wide"])
    assert result.exit_code == 0, result.output
    wide = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("respondent_id")
    assert wide.at["r1", "styrker__follow_up"] == "1" and wide.at["r1", "utfordringer__coordination"] == "1"
    assert wide.at["r2", "utfordringer__meeting_places"] == "0"
    # never decided by anyone: empty, not 0 (a1 and a4 are decided, but the rule never read them)
    never_decided = [("r1", "styrker__anchoring"), ("r1", "styrker__meeting_places"),
                     ("r2", "utfordringer__follow_up"), ("r2", "anchoring"), ("r3", "follow_up")]  # fmt: skip
    for respondent, column in never_decided:
        assert wide.at[respondent, column] == "", (respondent, column)
    codes = [c for c in wide.columns if c != "municipality"]
    assert sorted(v for v in wide[codes].to_numpy().ravel() if v) == ["0", "0", "1", "1", "1", "1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--accept-from", "0.3", "--reject-below", "0.6"], "option --reject-below: must not exceed"),
        (["--accept-from", "1.5"], "option --accept-from: must be between 0 and 1, got 1.5"),
    ],
)
def test_cli_bulk_bad_thresholds(project: Project, args: list[str], message: str) -> None:
    result = _review(project, "", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert project.log().empty


def test_bulk_without_a_run_is_exit_2(tmp_path: Path) -> None:
    with store.init(tmp_path / "p.db", ANSWERS, CODEBOOK) as bare:
        result = runner.invoke(app, ["review", str(bare.path), "--coder", "kari", "--accept-from", "0.9"])
    assert result.exit_code == 2
    assert "no suggestion run yet" in result.output


# -- a killed review loses nothing that was committed ----------------------------------------------


def _count(path: Path) -> int:
    with sqlite3.connect(path, timeout=5) as conn:
        return conn.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]


def _wait_for(path: Path, expected: int, process: subprocess.Popen, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = _count(path)
        if count >= expected:
            return count
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
        time.sleep(0.02)  # a bounded poll, not a fixed wait: returns as soon as the commit is visible
    raise AssertionError(f"only {_count(path)} of {expected} decisions reached the database in {timeout}s")


def test_sigkill_mid_review_keeps_every_sent_decision(project: Project) -> None:
    path = project.path
    project.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "coder.cli", "review", str(path), "--coder", "kari"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "100"},
    )
    try:
        sent = 0
        for line, entries in (("a\n", 2), ("a\n", 3), ("+ samordning\n", 1), ("r\n", 1)):
            process.stdin.write(line.encode())
            process.stdin.flush()
            sent += entries
            assert _wait_for(path, sent, process) == sent
        process.stdin.write(b"+ forank")  # the keystrokes in flight: no Enter yet
        process.stdin.flush()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stdin.close()
    assert process.returncode == -signal.SIGKILL
    with Project.open(path) as reopened:
        assert reopened.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        log = reopened.log("kari")
        assert len(log) == sent == 7
        assert list(zip(log["answer_id"], log["action"], strict=True)) == [
            ("a3", "reject"),
            ("a3", "none"),
            ("a2", "accept"),
            ("a2", "accept"),
            ("a2", "none"),
            ("a4", "add"),
            ("a4", "reject"),
        ]


@pytest.mark.skipif(
    not hasattr(os, "fork") or sys.platform == "win32", reason="needs a POSIX pseudo-terminal"
)
def test_review_in_a_pseudo_terminal(project: Project) -> None:
    import pty
    import select

    path = project.path
    project.close()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the review, as a researcher starts it
        os.execv(sys.executable, [sys.executable, "-m", "coder.cli", "review", str(path), "--coder", "kari"])

    def read_until(token: bytes, timeout: float = 30.0) -> bytes:
        seen, deadline = b"", time.monotonic() + timeout
        while time.monotonic() < deadline:
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                if token in seen:
                    return seen
        raise AssertionError(f"no {token!r} from the review; last output {seen[-300:]!r}")

    try:
        screen = read_until(b"> ")
        assert b"\x1b[" in screen  # a terminal gets colours
        assert b"Faste" in screen and "hver måned".encode() in screen
        os.write(fd, b"a\n")
        read_until(b"> ")
        os.write(fd, b"q\n")
        read_until(b"decisions saved")
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    with Project.open(path) as reopened:
        log = reopened.log("kari")[["answer_id", "action"]].values.tolist()
        assert log == [["a3", "reject"], ["a3", "none"]]


# -- user text is never read as rich markup --------------------------------------------------------


def test_markup_in_commands_and_answers_is_shown_literally(tmp_path: Path) -> None:
    answers = ANSWERS.assign(text=ANSWERS["text"].where(ANSWERS["id"] != "a3", "[/b] Faste [bold]møter"))
    answers["municipality"] = answers["municipality"].where(answers["id"] != "a3", "[/x]")
    with store.init(tmp_path / "p.db", answers, CODEBOOK) as bare:
        bare.add_suggestion_run(SUGGESTIONS, threshold=0.5)
        keys = "+ [/x]\nf question=[/]\n"
        result = runner.invoke(app, ["review", str(bare.path), "--coder", "[/k]"], input=keys)
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        assert "no code matches '[/x]'" in result.output
        assert "question '[/]' is not in the project" in result.output  # shown literally, filter unchanged
        assert "[/b] Faste [bold]møter" in result.output and "[/x]" in result.output
        assert bare.log().empty
        result = runner.invoke(app, ["review", str(bare.path), "--coder", "[/k]", "--accept-from", "0.9"])
        assert result.exit_code == 0, result.output
        assert "[/k]: accepted 2, rejected 0 (bulk)" in result.output


def test_markup_in_codebook_keywords_and_paths_is_shown_literally(tmp_path: Path) -> None:
    from coder import codebook as codebook_module

    book = Codebook("t", "nb", "1", (Code("follow_up", "Oppfølging", description="T.", keywords=("[/x]",)),))
    path = tmp_path / "codebook.yaml"
    path.write_text(codebook_module.to_yaml(book), encoding="utf-8")
    result = runner.invoke(app, ["codebook", "validate", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "keyword '[/x]' can never match" in result.output
    qdc = codebook_module.export_qdc(CODEBOOK, tmp_path / "book.qdc")
    out = tmp_path / "[x].yaml"
    result = runner.invoke(app, ["codebook", "import", str(qdc), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"4 codes -> {out}" in result.output.replace("\n", "")


def test_a_filter_that_matches_nothing_keeps_the_session_and_the_old_filter(project: Project) -> None:
    project.close()
    # No suggestion of anchoring is in band "low": the filter is refused, and "a" still decides a3.
    result = _review(project, "f code=anchoring | band=low\na\nq\n")
    assert result.exit_code == 0, result.output
    assert "no answers match the filter" in result.output
    assert "End of the queue" not in result.output
    with Project.open(project.path) as opened:
        assert ("a3", "meeting_places") in {
            (r.answer_id, r.code) for r in opened.log(coder="kari").itertuples()
        }


# -- learning while reviewing -------------------------------------------------------------------------


def test_review_refits_the_model_and_orders_the_queue_again(project: Project) -> None:
    from coder.classify import CodeSuggester, label_matrix

    lines = iter(["+ oppfølging", "n", "q"])  # two decisions on the first answer (a3), then next

    def read_line(_: str) -> str:
        return next(lines)

    console = Console(record=True, width=120, file=open(os.devnull, "w"))  # noqa: SIM115 - closed below
    try:
        summary = review_module.review(
            project.path, "kari", console=console, read_line=read_line, refit_every=1
        )
    finally:
        console.file.close()
    output = console.export_text()
    assert summary.decisions >= 1
    assert "The model learned from 1 coded answers" in output
    shown = list(dict.fromkeys(re.findall(r"╭─+ (a\d) ─", output)))
    assert shown[0] == "a3"
    # the answer shown next is the least certain one under the model refitted on the decision
    model = CodeSuggester(project.codebook(), threshold=0.5).fit(ANSWERS["text"].tolist())
    ids = ANSWERS["id"].tolist()
    proba = model.update(label_matrix(ids, project.labels("kari"), project.codebook())).predict_proba(
        ANSWERS["text"].tolist()
    )
    margins = {
        answer: min([abs(p - 0.5) for p in row if p >= store.STORED_CONFIDENCE_FLOOR] + [0.5])
        for answer, row in zip(ids, proba, strict=True)
        if answer != "a3"
    }
    assert shown[1] == min(sorted(margins), key=lambda a: margins[a])


def test_quitting_after_undoing_everything_saves_no_decisions(project: Project) -> None:
    result = _review(project, "a\nu\nq\n")
    assert result.exit_code == 0, result.output
    assert "0 decisions saved" in result.output


def test_the_screen_names_an_active_filter(project: Project) -> None:
    result = _review(project, "q\n", "--filter", "band=high")
    assert "filter band=high: queue 1/" in result.output


def test_a_negative_refit_interval_is_exit_2(project: Project) -> None:
    result = _review(project, "q\n", "--refit-every", "-1")
    assert result.exit_code == 2
    assert "--refit-every" in result.output and "must be 0 (never) or more" in result.output
