"""`coder review`: the interactive loop driven by scripted keys, bulk mode, ordering and a SIGKILL."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from support.review import (
    ANSWERS,
    CODEBOOK,
    SUGGESTIONS,
    code_pairs,
    fixture_project,  # noqa: F401
)

from coder import review_screen as review_module
from coder import store
from coder.codebook import Code, Codebook
from coder.errors import CoderError
from coder.review import Filter, bulk_review, parse_filter, queue
from coder.review_screen import evidence_words
from coder.store import Decision, Project


def _screens(project: Project, lines: list[str] | Callable[[str], str], **options: Any) -> str:
    """What ``coder review`` by kari shows for the command ``lines`` (or a ``read_line`` function)."""
    commands = iter(lines) if not callable(lines) else None
    read_line = lines if commands is None else (lambda _: next(commands))
    with open(os.devnull, "w") as devnull:
        console = Console(record=True, width=120, file=devnull)
        review_module.review(project.path, "kari", console=console, read_line=read_line, **options)
    return console.export_text()


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


def test_queue_puts_blank_answers_after_the_other_undecided_ones(tmp_path: Path) -> None:
    answers = ANSWERS.assign(text=ANSWERS["text"].where(~ANSWERS["id"].isin(["a3", "a2"]), "- "))
    with store.init(tmp_path / "blank.db", answers, CODEBOOK) as project:
        project.add_suggestion_run(SUGGESTIONS, {"test": True}, seed=0, threshold=0.5)
        assert queue(project, "kari") == ["a4", "a1", "a5", "a3", "a2"]  # a3, a2 were the least certain
        project.record("kari", [Decision("a4", "meeting_places", "add")])
        assert queue(project, "kari") == ["a1", "a5", "a3", "a2", "a4"]  # decided answers still go last


def test_queue_shows_disagreements_first_unless_blind(project: Project) -> None:
    project.record("ola", [Decision("a5", "follow_up", "add")])
    project.record("per", [Decision("a5", "", "none")])
    assert queue(project, "kari", blind=False)[0] == "a5"
    assert queue(project, "kari")[0] == "a3"  # blind: the others' decisions do not steer the order


def test_the_disagreed_filter_queues_only_what_the_coders_differ_on_and_only_seen(project: Project) -> None:
    project.record("ola", [Decision("a5", "follow_up", "add"), Decision("a2", "follow_up", "add")])
    project.record("per", [Decision("a5", "", "none"), Decision("a2", "follow_up", "add")])
    wanted = parse_filter("disagreed | undecided")
    assert wanted.disagreed and wanted.describe() == "undecided | disagreed"
    assert queue(project, "kari", blind=False, filter=wanted) == ["a5"]  # 34 skips to the first, before
    with pytest.raises(CoderError, match="review with the others' codes shown") as refused:
        queue(project, "kari", filter=wanted)  # it would tell a blind coder where the others differ
    assert refused.value.key is None  # the screen printed «key 'blind': …»
    with pytest.raises(CoderError, match="a bulk rule does not take the filter 'disagreed'"):
        bulk_review(project, "kari", accept_from=0.9, filter="disagreed")


def test_parse_filter() -> None:
    assert parse_filter("") == Filter()
    assert parse_filter("code=follow_up | question=q1 | band=mid | undecided") == Filter(
        code="follow_up", question="q1", band="mid", undecided=True
    )
    with pytest.raises(CoderError, match="unknown band 'medium'"):
        parse_filter("band=medium")
    with pytest.raises(CoderError, match="cannot read the filter 'colour=red'"):
        parse_filter("colour=red")
    listed = ", ".join(CODEBOOK.code_ids)  # `f code=fragmentert` (a label's word) named no id to use
    with pytest.raises(CoderError, match=f"code 'housing' is not in the codebook \\(codes: {listed}\\)$"):
        parse_filter("code=housing", CODEBOOK.code_ids)
    with pytest.raises(CoderError, match=r"the filter names two codes \('follow_up', 'anchoring'\)"):
        parse_filter("code=follow_up | code=anchoring")  # the second silently won
    assert parse_filter("band=mid | band=mid") == Filter(band="mid")


def test_evidence_words_skip_labels_examples_and_wildcards() -> None:
    words = evidence_words(
        "keywords: kommunal bolig*, rus*; terms: NEG_helhet, ta tak; like: «Ingen tar tak»"
    )
    assert words == ["kommunal", "bolig", "rus", "helhet", "tak"]


def test_library_review_with_a_scripted_reader(project: Project) -> None:
    lines = iter(["a", "s", "q"])
    console = Console(file=open(os.devnull, "w"), width=100)  # noqa: SIM115 - closed below
    try:
        summary = review_module.review(project.path, "ola", console=console, read_line=lambda _: next(lines))
    finally:
        console.file.close()
    assert summary.decisions == 1 and not summary.finished
    assert project.coders() == ["ola"]


def test_a_confidence_just_under_the_threshold_is_not_shown_at_it(tmp_path: Path) -> None:
    # 0.4457 showed «0.45» under «a takes ≥ 0.45», then `a` rejected it (only the colour told)
    near = SUGGESTIONS.assign(confidence=[0.97, 0.4457, 0.45, 0.2, 0.08])
    with store.init(tmp_path / "near.db", ANSWERS, CODEBOOK) as project:
        project.add_suggestion_run(near, {"test": True}, seed=0, threshold=0.45)
        screens = _screens(project, ["f code=anchoring", "a", "q"], refit_every=0)
        assert "0.445" in screens and "0.4457" not in screens
        assert re.search(r"anchoring \(Politisk og administrativ forankring\)\s+\S+ 0\.445 ", screens)
        assert re.search(r"coordination \(Samordning og samarbeid på tvers\)\s+\S+ 0\.45 ", screens)
        assert project.log("kari").set_index("code")["action"].to_dict() == {
            "anchoring": "reject", "coordination": "accept", "": "none"
        }  # fmt: skip
    with store.init(tmp_path / "fine.db", ANSWERS, CODEBOOK) as project:  # a threshold of three decimals
        project.add_suggestion_run(near.assign(confidence=[0.97, 0.29, 0.9, 0.2, 0.08]), {}, threshold=0.291)
        screens = _screens(project, ["f code=anchoring", "q"], refit_every=0)
        assert "a takes ≥ 0.291" in screens and re.search(r"\S+ 0\.29 ", screens)
    with store.init(tmp_path / "finer.db", ANSWERS, CODEBOOK) as project:  # four: shown as given
        project.add_suggestion_run(
            near.assign(confidence=[0.97, 0.2992, 0.9, 0.2, 0.08]), {}, threshold=0.2995
        )
        screens = _screens(project, ["f code=anchoring", "q"], refit_every=0)
        assert "a takes ≥ 0.2995" in screens and re.search(r"\S+ 0\.299 ", screens)


def test_a_session_showing_the_other_coders_codes_logs_its_decisions_as_seen(project: Project) -> None:
    screens = " ".join(_screens(project, ["a", "q"], refit_every=0).split())  # blind, the default
    assert project.seen_decisions("kari") == 0 and "others' codes shown" not in screens
    # the threshold `a` goes by was shown nowhere: only green and yellow told it
    threshold = project.conn.execute("SELECT threshold FROM runs").fetchone()[0]
    assert f"confidence (a takes ≥ {threshold:.2f})" in screens
    blind = project.log("kari")
    screens = _screens(project, ["a", "u", "a", "q"], blind=False, refit_every=0)  # a consensus meeting
    assert "others' codes shown (not counted in agreement)" in " ".join(screens.split())
    seen = project.log("kari").iloc[len(blind) :]
    in_effect = seen[(seen["action"] != "undo") & ~seen["uuid"].isin(set(seen["undoes"]))]
    assert len(in_effect) and project.seen_decisions("kari") == len(in_effect)
    assert project.log("kari", blind_only=True)["uuid"].tolist() == blind["uuid"].tolist()


# -- bulk mode -------------------------------------------------------------------------------------


def test_bulk_accepts_and_rejects_confident_suggestions(project: Project) -> None:
    counts = bulk_review(project.path, "kari", accept_from=0.9, reject_below=0.1)
    assert counts == {"accepted": 2, "rejected": 1, "open": 2}
    log = project.log("kari")
    assert set(log["mode"]) == {"bulk"}
    # a2 keeps anchoring (0.62) open: bulk decides single codes and closes nothing, so a2 is not decided
    # (changed: any entry used to make the answer decided, its other codes negatives); a4 had no confident
    # suggestion: rejecting its unlikely one read nothing, so it stays undecided too (it was «no code»)
    assert code_pairs(project.current_codes("kari")) == {("a1", "follow_up")}
    assert project.decided("kari") == {"a1"} and project.closed("kari") == set()
    assert project.labels("kari").values.tolist() == [
        ["a1", "follow_up", 1], ["a2", "coordination", 1], ["a4", "meeting_places", 0]
    ]  # fmt: skip
    again = bulk_review(project.path, "kari", accept_from=0.9, reject_below=0.1)
    assert again == {"accepted": 0, "rejected": 0, "open": 2}  # decided suggestions are not decided twice
    assert len(project.log()) == 3


def test_bulk_decides_only_what_the_filter_selects(project: Project) -> None:
    # question=utfordringer: a2 and a4 only; a1 (styrker, 0.97) stays open
    counts = bulk_review(project.path, "kari", accept_from=0.6, filter="question=utfordringer")
    assert counts == {"accepted": 2, "rejected": 0, "open": 1}
    assert code_pairs(project.current_codes("kari")) == {("a2", "anchoring"), ("a2", "coordination")}
    # code=coordination: of a2's two suggestions, only that code
    counts = bulk_review(project.path, "ola", accept_from=0.6, filter="code=coordination")
    assert counts == {"accepted": 1, "rejected": 0, "open": 0}
    assert code_pairs(project.cells("ola")) == {("a2", "coordination")}  # anchoring left open
    with pytest.raises(CoderError, match="question 'x' is not in the project"):
        bulk_review(project.path, "per", accept_from=0.6, filter="question=x")
    assert set(project.log()["coder"]) == {"kari", "ola"}


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
        read_until(b" saved in")  # «1 decision saved in», «2 decisions saved in»
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    with Project.open(path) as reopened:
        log = reopened.log("kari")[["answer_id", "action"]].values.tolist()
        assert log == [["a3", "reject"], ["a3", "none"]]


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
    answers = project.answers()
    model = CodeSuggester(project.codebook(), threshold=0.5)
    model.fit(answers["text"].tolist(), questions=answers["question_id"].tolist())
    ids = answers["id"].tolist()
    model.update(label_matrix(ids, project.labels("kari"), project.codebook()))
    proba = model.predict_proba(answers["text"].tolist(), answers["question_id"].tolist())
    margins = {
        answer: min([abs(p - 0.5) for p in row if p >= store.STORED_CONFIDENCE_FLOOR] + [0.5])
        for answer, row in zip(ids, proba, strict=True)
        if answer != "a3"
    }
    assert shown[1] == min(sorted(margins), key=lambda a: margins[a])


def test_a_new_session_learns_from_the_decisions_made_since_the_run(project: Project) -> None:
    def session(lines: list[str], refit_every: int) -> str:
        return _screens(project, lines, refit_every=refit_every)

    first = session(["+ oppfølging", "n", "q"], refit_every=0)  # no refit: the run knows nothing of it
    assert "learned" not in first
    # the refits of a session are not stored: the next session learns again, or `a` would propose what the
    # stored run proposes, not what the model proposed before the restart
    again = session(["q"], refit_every=10)
    assert "The model learned again from 1 coded answer(s), 1 decided since the run was made" in again
    assert "learned" not in session(["q"], refit_every=0)  # --refit-every 0: the stored run, as asked


@pytest.mark.skipif(sys.platform == "win32", reason="a terminal's line discipline")
def test_a_line_typed_while_the_model_learns_decides_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pty

    keyboard, terminal_end = pty.openpty()
    render, stored = review_module.render, review_module.State.load(project, "kari", None).suggestions
    shown: list[str] = []
    quit_at = 2

    def typing_while_learning(learner: Any, coder: str | None) -> dict[str, list[Any]]:
        os.write(keyboard, b"r\n")  # typed for the answer just decided; the next is not on screen yet
        return stored  # what the model learns does not matter here, only that the coder waits for it

    def rendering(state: Any, items: list[str], index: int, *args: Any) -> Any:
        shown.append(items[index])
        if len(shown) >= quit_at:  # again at every later screen: a failing test ends, never hangs
            os.write(keyboard, b"q\n")  # typed once the answer is on screen
        return render(state, items, index, *args)

    monkeypatch.setattr(review_module.Learner, "start", lambda learner: None)
    monkeypatch.setattr(review_module.Learner, "refit", typing_while_learning)
    monkeypatch.setattr(review_module, "render", rendering)
    screens = []
    with open(terminal_end, encoding="utf-8") as terminal, open(os.devnull, "w") as devnull:
        monkeypatch.setattr(sys, "stdin", terminal)
        os.write(keyboard, b"a\n")
        for session in range(2):  # the second learns first from the first's decisions
            shown.clear()
            quit_at = 1 if session else 2
            console = Console(record=True, width=120, file=devnull)
            review_module.review(project.path, "kari", console=console, refit_every=1)
            screens.append(console.export_text())
    os.close(keyboard)
    assert len(set(project.log("kari")["answer_id"])) == 1  # no answer was decided but the one seen first
    assert all("What you typed while the model learned was not used" in screen for screen in screens)
    assert "The model learned again from 1 coded answer" in screens[1]


def test_a_code_is_found_by_its_whole_label_or_id_in_any_case_and_letter_form() -> None:
    from dataclasses import replace

    book = replace(CODEBOOK, codes=(*CODEBOOK.codes, Code("follow", "Oppfølging"), Code("nfd", "Ta\u030ak")))
    find = review_module._find_code
    assert find(book, "OPPFØLGING") == "follow"  # the whole label, though another label contains it
    assert find(book, "FOLLOW_UP") == "follow_up"
    assert find(book, "samordning og samarbeid pa\u030a tvers") == "coordination"  # å as a + ring
    assert find(book, "tåk") == "nfd"  # a label saved with a + ring (a Mac) matches what is typed
    with pytest.raises(CoderError, match="matches several codes"):
        find(book, "oppf")


def test_a_code_named_for_its_problem_shows_and_finds_its_strength_name_too(project: Project) -> None:
    from dataclasses import replace

    state = review_module.State.load(project, "kari", None)
    answer = next(a for a in state.answers.index if state.suggestions.get(a))
    code = state.suggestions[answer][0][0]
    named = [replace(c, strength_label="Tydelig plassert") if c.id == code else c for c in CODEBOOK.codes]
    state.codebook = replace(CODEBOOK, codes=tuple(named))
    console = Console(record=True, width=160, file=open(os.devnull, "w"))  # noqa: SIM115 - closed below
    try:
        console.print(review_module.render(state, [answer], 0, True))
    finally:
        console.file.close()
    # a strength answer suggested «Fragmentert ansvar» alone read as a wrong suggestion to reject
    assert f"{code} ({state.codebook.get(code).label} / Tydelig plassert)" in console.export_text()
    assert review_module._find_code(state.codebook, "tydelig plassert") == code
    other = next(c.id for c in CODEBOOK.codes if c.id != code)
    label = state.codebook.get(other).label
    shared = replace(state.codebook.get(other), label=f"{label} Tydelig")  # a word of the strength name
    state.codebook = replace(state.codebook, codes=tuple(shared if c.id == other else c for c in named))
    assert review_module._find_code(state.codebook, "tydelig") == other  # found by its name, as before
    named_so = replace(state.codebook.get(other), label="Tydelig plassert ansvar og mer")
    state.codebook = replace(state.codebook, codes=tuple(named_so if c.id == other else c for c in named))
    assert review_module._find_code(state.codebook, "tydelig plassert") == code  # a whole name wins


def test_control_characters_of_an_answer_never_reach_the_terminal(project: Project) -> None:
    state = review_module.State.load(project, "kari", None)
    answer = state.answers.index[0]
    state.answers.loc[answer, "text"] = "før\x1b[2J\x1b[31mRØD bolig\x07"
    console = Console(record=True, width=100, file=open(os.devnull, "w"))  # noqa: SIM115 - closed below
    try:
        console.print(review_module.render(state, [answer], 0, True))
    finally:
        console.file.close()
    screen = console.export_text(styles=True)
    assert "\x1b[2J" not in screen and "\x07" not in screen and "før\ufffd[2J\ufffd[31mRØD bolig" in screen


def test_a_long_word_or_link_in_an_answer_is_shown_whole(project: Project) -> None:
    state = review_module.State.load(project, "kari", None)
    answer = state.answers.index[0]
    link = "https://www.husbanken.no/" + "startlaan" * 12
    state.answers.loc[answer, "text"] = f"Se {link} om dette"
    console = Console(record=True, width=80, file=open(os.devnull, "w"))  # noqa: SIM115 - closed below
    try:
        console.print(review_module.render(state, [answer], 0, True))
    finally:
        console.file.close()
    lines = [line[1:].split("│")[0] for line in console.export_text().splitlines() if line.startswith("│")]
    assert link in "".join("".join(lines).split())  # folded over the answer panel's lines, not cut


def test_the_key_help_fits_an_80_column_terminal_as_plain_text() -> None:
    lines = review_module.HELP.splitlines()
    assert "``" not in review_module.HELP  # it showed «Every ``--refit-every`` decisions»
    assert max(map(len, lines)) + 4 <= 80  # inside the panel's borders and padding


def test_a_command_on_what_another_window_of_the_coder_changed_is_not_applied(project: Project) -> None:
    other = Project.open(project.path)  # the second window of kari
    steps = iter(["a", "a", "u", "q"])
    meanwhile = {  # what the other window logs while this one waits for the command
        0: [Decision("a3", "meeting_places", "reject"), Decision("a3", "", "none")],
        2: [Decision("a5", "follow_up", "add")],
    }
    count = iter(range(10))

    def read_line(_: str) -> str:
        step = next(count)
        if step in meanwhile:
            other.record("kari", meanwhile[step])
        return next(steps)

    try:
        output = " ".join(_screens(project, read_line, refit_every=0).split())
    finally:
        other.close()
    # the first `a` would have overruled the other window's rejection unseen; `u` would have undone its add
    assert "a3 changed in another session of kari meanwhile; nothing done" in output
    assert "your latest command changed in another session of kari meanwhile" in output
    log = project.log("kari")
    assert "undo" not in set(log["action"]) and log["answer_id"].tolist()[-1] == "a5"
    # the other window's decision on a3 stands (the second `a` saw it decided, closed, nothing open)
    assert log.loc[log["answer_id"] == "a3", "action"].tolist() == ["reject", "none"]


def test_undoing_an_earlier_sessions_command_leads_back_to_the_undecided_answers(project: Project) -> None:
    _screens(project, ["a", "q"])  # a3 decided: it goes last in the queue of the next session
    # the undone answer, last in the queue, became the current place: after it «End of the queue», while
    # four answers were undecided
    screens = _screens(project, ["u", "a", "q"])
    after = screens[screens.index("Undone: your last command on a3") :]
    assert "End of the queue" not in after
    assert re.search(r"queue 2/5", after), after[-800:]
    assert set(project.effective_log("kari")["answer_id"]) == {"a3"}


def test_refit_every_counts_commands_that_decide_not_log_entries(project: Project) -> None:
    # `a` on a2 accepts its two suggestions: one command
    screens = _screens(project, ["a", "q"], refit_every=2, filter="question=utfordringer")
    assert project.log("kari")["action"].tolist() == ["accept", "accept", "none"]
    assert "learned" not in screens  # one decision of the two asked for: no refit yet


def test_ctrl_c_at_the_prompt_ends_the_session_as_q_with_its_closing_count(project: Project) -> None:
    commands = iter(["+ oppfølging"])

    def read_line(_: str) -> str:
        for line in commands:
            return line
        raise KeyboardInterrupt

    with open(os.devnull, "w") as devnull:
        summary = review_module.review(
            project.path, "kari", console=Console(file=devnull), read_line=read_line, refit_every=0
        )
    assert summary.decisions == 1 and not summary.finished  # it was a KeyboardInterrupt out of review
    with open(os.devnull, "w") as devnull:
        console = Console(file=devnull, record=True, width=120)

        def interrupted(prompt: str) -> str:  # as console.input: the prompt, then the typed text, no newline
            console.print(f"{prompt}half typed", end="")
            raise KeyboardInterrupt

        review_module.review(project.path, "kari", console=console, read_line=interrupted, refit_every=0)
    assert console.export_text().endswith("half typed\n")  # the closing line came after «half typed^C»


def test_what_another_session_logs_during_a_refit_is_on_the_next_screen(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Project.open(project.path)

    def learn(state: review_module.State, *args: object) -> int:  # the other window decides a2 meanwhile
        other.record("kari", [Decision("a2", "", "none")])
        return 0

    monkeypatch.setattr(review_module, "_learn", learn)
    try:
        screens = _screens(project, ["n", "q"], refit_every=1).split("kari: decided ")  # n on a3, the refit
    finally:
        other.close()
    assert screens[-1].startswith("2/5")  # the screen after the refit was drawn from before it: 1/5


def test_adding_or_removing_a_code_by_a_search_says_which_code_it_found(project: Project) -> None:
    screens = " ".join(_screens(project, ["+ oppfølging", "- oppfølging", "q"], refit_every=0).split())
    label = next(code.label for code in project.codebook().codes if code.id == "follow_up")
    assert f"Added: follow_up ({label})" in screens and f"Removed: follow_up ({label})" in screens


def test_a_number_written_onto_a_or_r_is_read_as_after_a_space(project: Project) -> None:
    screens = _screens(project, ["a1", "r1", "q"], refit_every=0)  # «unknown command 'a1'»
    assert "unknown command" not in screens
    assert project.log("kari")["action"].tolist() == ["accept", "reject"]


def test_a_long_search_that_finds_no_code_is_not_echoed_whole() -> None:
    book = Codebook(name="b", language="nb", version="1", codes=(Code("x", "Bolig"),))
    with pytest.raises(CoderError) as caught:
        review_module._find_code(book, "æøå" * 300)
    assert len(str(caught.value)) < 100 and str(caught.value).endswith("…'")


def test_at_a_terminal_the_prompt_goes_to_input_itself_for_line_editing(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[str] = []

    def typed(prompt: str = "") -> str:
        prompts.append(prompt)
        return "q"

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", typed)
    with open(os.devnull, "w") as devnull:
        review_module.review(project.path, "kari", console=Console(file=devnull), refit_every=0)
    # readline redraws the prompt it was given: printed apart, an arrow key's recalled line overwrote it
    assert prompts == ["a/r/+/-/n/s/u/f/q/? > "]
