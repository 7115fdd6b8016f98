"""The command line of coder.summary (`coder ...` through typer's CliRunner)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from support.summary import (
    BOTH,
    OPPDAL,
    OPPDAL_CODES,
    RISSA_CODES,
    fixture_codebook,  # noqa: F401
    fixture_codes,  # noqa: F401
    fixture_result,  # noqa: F401
    fixture_suggestions,  # noqa: F401
)
from typer.testing import CliRunner

from coder import summary
from coder.cli import app
from coder.errors import CoderError

runner = CliRunner()


# ---------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------


def test_cli_writes_the_report(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["summary", str(BOTH), "--codes", str(OPPDAL_CODES), "--codes", str(RISSA_CODES), "--out-dir",
         str(tmp_path), "--formats", "csv,json", "--quotes", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "files written" in result.output
    data = json.loads((tmp_path / "rapport.json").read_text(encoding="utf-8"))
    assert data["provenance"]["quotes_per_theme"] == 1
    assert pd.read_csv(tmp_path / "sitater.csv").groupby(["question_id", "code"]).size().max() == 1
    assert not (tmp_path / "rapport.md").exists()


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        ("id,code\nO01:styrker,local_knowledge\nX1:styrker,coordination\n", [], "row 3, column 'id'"),
        ("id,code\nO01:styrker,nonsense\n", [], "row 2, column 'code': code 'nonsense'"),
        ("id,code\nO01:styrker,local_knowledge\n", ["--formats", "pdf"], "unknown format 'pdf'"),
        ("id,code\nO01:styrker,local_knowledge\n", ["--quotes", "-1"], "option --quotes: the number"),
        ("id,theme\nO01:styrker,local_knowledge\n", [], "expected a column 'code' or 'codes'"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, content: str, options: list[str], message: str
) -> None:
    codes = tmp_path / "codes.csv"
    codes.write_text(content, encoding="utf-8")
    result = runner.invoke(
        app, ["summary", str(OPPDAL), "--codes", str(codes), "--out-dir", str(tmp_path / "o"), *options]
    )
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0], result.output
    assert not (tmp_path / "o").exists()  # nothing is written for bad input


def test_cli_prints_the_base(tmp_path: Path, suggestions: Path) -> None:
    result = runner.invoke(
        app, ["summary", str(BOTH), "--codes", str(suggestions), "-o", str(tmp_path), "--formats", "json"]
    )
    assert result.exit_code == 0, result.output
    assert "Base: all " in result.output and "(the codes are machine suggestions" in result.output
    result = runner.invoke(
        app,
        ["summary", str(BOTH), "--codes", str(suggestions), "-o", str(tmp_path), "--formats", "json",
         "--coded-only"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "are left out as not coded yet" in result.output


def test_cli_missing_codes_file(tmp_path: Path) -> None:
    missing = tmp_path / "none.csv"
    result = runner.invoke(app, ["summary", str(OPPDAL), "--codes", str(missing), "--out-dir", str(tmp_path)])
    assert result.exit_code == 2 and "file not found" in result.output and str(missing) in result.output


def test_cli_says_once_which_manifest_field_it_ignored(tmp_path: Path) -> None:
    shutil.copytree(OPPDAL.parent, tmp_path / "oppdal")
    manifest = tmp_path / "oppdal" / "manifest.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(
        text.replace("  label: rolle\n", "  label: rolle\n  separtor: ';'\n", 1), encoding="utf-8"
    )
    result = runner.invoke(
        app,
        [
            "summary",
            str(manifest),
            "--codes",
            str(OPPDAL_CODES),
            "-o",
            str(tmp_path / "o"),
            "--formats",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("Warning:")]
    assert warnings == [
        f"Warning: {manifest}:23, key 'respondents.separtor':"
        " unknown field, ignored (did you mean 'separator'?)"
    ]
    assert (tmp_path / "o" / "rapport.json").is_file()


def _project_with_a_run(
    tmp_path: Path, codebook: Path, confidence: list[float] | float = 0.9
) -> tuple[Path, list[str], str]:
    """A project of the example survey and a run suggesting follow_up for every answer; its path, answer ids
    and the run's id. ``confidence``: one for all, or one per answer (the first ones)."""
    from coder import store

    path = tmp_path / "p.db"
    store.init(path, None, codebook, manifest=BOTH).close()
    with store.Project.open(path) as project:
        answers = project.answer_ids()
        if isinstance(confidence, list):
            confidence = confidence + [0.3] * (len(answers) - len(confidence))
        suggestions = pd.DataFrame({"id": answers, "code": "follow_up", "confidence": confidence})
        run = project.add_suggestion_run(suggestions, threshold=0.5)
    return path, answers, run


def test_a_project_gives_the_reviewed_codes_its_share_decided_and_its_conflicts(
    tmp_path: Path, codebook: Path
) -> None:
    from coder import store
    from coder.store import Decision

    path, answers, run = _project_with_a_run(tmp_path, codebook)
    with store.Project.open(path) as project:
        project.record("kari", [Decision(answers[0], "anchoring", "add"), Decision(answers[0], "", "none")])
        project.record(
            "ola", [Decision(answers[1], "follow_up", "accept", run), Decision(answers[1], "", "none")]
        )
        project.record(
            "kari", [Decision(answers[1], "follow_up", "reject", run), Decision(answers[1], "", "none")]
        )
    result = summary.report(BOTH, None, codebook, out_dir=tmp_path / "out", formats="md", project=path)
    review = result.provenance["review"]
    assert (
        review["coders"] == ["kari", "ola"] and review["conflicts"] == 1 and review["answers"] == len(answers)
    )
    assert review["decided"] == 1 and review["unread"] == len(answers) - 2  # the disputed answer was read
    md = (tmp_path / "out" / "rapport.md").read_text(encoding="utf-8")
    assert re.search(rf"(?<!\d)2 av {len(answers)} svar", md) and "koder der koderne er uenige" in md
    # in dispute, not without a theme: it was listed under «Svar uten tema»
    assert answers[1] not in set(result.uncoded["answer_id"])
    assert "maskinforslag" in md  # the undecided answers are the run's suggestions, and the note says so
    # the run was made before the 2 answers were decided: its suggestions had not learned from them, unsaid
    assert "Maskinforslagene er fra en kjøring før 2 av svarene ble avgjort" in " ".join(md.split())
    model = result.provenance["model"]
    assert (model["run"], model["threshold"], model["source"]) == (run, 0.5, "kodeprosjekt")
    result = CliRunner().invoke(app, ["summary", str(BOTH), "--out-dir", str(tmp_path / "cli")])
    assert result.exit_code == 2 and "give --codes or --project" in result.output
    args = ["summary", str(BOTH), "--project", str(path), "--codebook", str(codebook), "--formats", "md"]
    result = CliRunner().invoke(app, [*args, "--out-dir", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    assert "suggestions are of a run made before 2 answers were decided" in " ".join(result.output.split())
    assert md == (tmp_path / "cli" / "rapport.md").read_text(encoding="utf-8").replace(
        _stamp(tmp_path / "cli" / "rapport.md"), _stamp(tmp_path / "out" / "rapport.md")
    )  # the command line counts the project's codes as the library does


def test_a_code_in_dispute_or_rejected_is_never_counted_from_the_machine_suggestions(
    tmp_path: Path, codebook: Path
) -> None:
    from coder import store
    from coder.store import Decision

    # follow_up suggested everywhere, as sure as a model can be (1.0, as a third of a real run is)
    path, answers, run = _project_with_a_run(tmp_path, codebook, confidence=1.0)
    with store.Project.open(path) as project:
        project.record(
            "ola", [Decision(answers[0], "follow_up", "accept", run), Decision(answers[0], "", "none")]
        )
        project.record(
            "kari", [Decision(answers[0], "follow_up", "reject", run), Decision(answers[0], "", "none")]
        )
        second = [Decision(answers[1], "follow_up", "reject", run), Decision(answers[1], "anchoring", "add")]
        project.record("ola", second)
        project.record("kari", [Decision(answers[2], "anchoring", "add")])  # begun: follow_up still open
    reviewed = store.reviewed_codes(path)
    codes = {(a, c): confidence for a, c, confidence in reviewed.codes.itertuples(index=False)}
    # the answer whose one code was in dispute got the run's follow_up back: counted, and called unread
    assert not any(a == answers[0] for a, _ in codes) and len(reviewed.conflicts) == 1
    assert codes[(answers[1], "anchoring")] == 1.0 and (answers[1], "follow_up") not in codes  # rejected
    assert (answers[2], "anchoring") in codes and (answers[2], "follow_up") in codes  # follow_up: still open
    assert (answers[3], "follow_up") in codes  # never read
    assert (reviewed.read, reviewed.unread) == (3, len(answers) - 3)
    assert reviewed.read_in_part == 1  # answers[2]: read, yet its follow_up is the machine's (the note says)
    assert reviewed.decided_since_run == 3  # answers 0-2, decided after the run: it learned nothing of them
    with store.Project.open(path) as project:
        project.record("kari", [Decision(answers[5], "anchoring", "add")])
        project.undo("kari")  # taken back: nothing more to learn
    assert store.reviewed_codes(path).decided_since_run == 3
    with store.Project.open(path) as project:
        project.add_suggestion_run(project.suggestions(run), threshold=0.5)
    assert store.reviewed_codes(path).decided_since_run == 0


def test_a_project_is_counted_with_its_own_codebook_and_must_be_of_the_survey(tmp_path: Path) -> None:
    from coder import store
    from coder.codebook import Code, Codebook

    codes = (Code("bolig", "Bolig"), Code("lag", "Lag"))
    own = Codebook(name="egen", language="nb", version="1", codes=codes)
    path = tmp_path / "p.db"
    store.init(path, None, own, manifest=OPPDAL).close()
    with store.Project.open(path) as project:
        first = project.answer_ids()[0]
        project.record("kari", [store.Decision(first, "bolig", "add"), store.Decision(first, "", "none")])
    args = ["summary", str(OPPDAL), "--project", str(path), "--formats", "csv"]
    result = runner.invoke(app, [*args, "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output  # no --codebook: the project's, not the built-in one
    themes = pd.read_csv(tmp_path / "out" / "temaer.csv", dtype=str)
    assert themes[["code", "label"]].values.tolist() == [["bolig", "Bolig"]]
    both = ["summary", str(BOTH), "--project", str(path), "--formats", "csv"]
    result = runner.invoke(app, [*both, "--out-dir", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output  # Oppdal's project, reported within both municipalities
    rissa = tmp_path / "rissa.db"
    store.init(rissa, None, own, manifest=BOTH).close()
    result = runner.invoke(
        app, [*args[:2], "--project", str(rissa), *args[4:], "--out-dir", str(tmp_path / "r")]
    )
    assert result.exit_code == 2 and not (tmp_path / "r").exists()
    assert result.stderr.startswith(f"Error: {rissa}: ") and "answers are not in the survey" in result.stderr


def _stamp(report: Path) -> str:
    """The report's time of making, the one line that differs between two runs."""
    return re.search(r"Laget med .*? kl\. [0-9.]+ \(norsk tid\)", report.read_text(encoding="utf-8")).group(0)


def test_cli_summary_json_is_the_themes_and_nothing_else(tmp_path: Path) -> None:
    args = ["summary", str(OPPDAL), "--codes", str(OPPDAL_CODES), "-o", str(tmp_path), "--formats", "csv"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"themes", "base"}
    assert {"question_id", "label", "mentions", "answers", "share", "band"} == set(data["themes"][0])
    assert "files written to" in result.stderr


def test_cli_groups_the_workshop_with_a_researchers_lexicon_and_names_it(tmp_path: Path) -> None:
    lexicon, out = tmp_path / "begreper.yaml", tmp_path / "rapport"
    lexicon.write_text("- concept: drift\n  terms: [Vaktmester]\n", encoding="utf-8")
    args = [
        "summary",
        str(BOTH),
        "--codes",
        str(OPPDAL_CODES),
        "--codes",
        str(RISSA_CODES),
        "--formats",
        "json",
    ]
    result = runner.invoke(app, [*args, "--lexicon", str(lexicon), "--out-dir", str(out)])
    assert result.exit_code == 2 and "begreper.yaml:2, key 'terms'" in result.output
    assert "Traceback" not in result.output and not out.exists()
    lexicon.write_text("- concept: drift\n  terms: [vaktmester, fiksern]\n", encoding="utf-8")
    result = runner.invoke(app, [*args, "--lexicon", str(lexicon), "--out-dir", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "rapport.json").read_text(encoding="utf-8"))
    assert "begreper.yaml" in json.dumps(report["provenance"]["inputs"], ensure_ascii=False)
    assert {note["grouped_by"] for note in report["workshop"]} == {"coder discover"}


def test_the_report_says_how_many_of_the_open_questions_have_coded_answers(tmp_path: Path) -> None:
    codes = tmp_path / "koder.csv"
    codes.write_text("id,code\nO01:styrker,local_knowledge\n", encoding="utf-8")
    args = ["summary", str(OPPDAL), "--codes", str(codes), "--formats", "md", "-o", str(tmp_path / "o")]
    assert runner.invoke(app, args).exit_code == 0
    md = (tmp_path / "o" / "rapport.md").read_text(encoding="utf-8")
    from coder import survey

    asked = len(survey.load(OPPDAL).questions)
    assert asked > 1 and f"1 kodede svar på 1 av {asked} åpne spørsmål" in " ".join(md.split())


def test_answers_decided_by_a_bulk_rule_alone_are_not_reported_as_read_by_a_coder(
    tmp_path: Path, codebook: Path
) -> None:
    from coder import store
    from coder.review import bulk_review
    from coder.store import Decision

    path, answers, run = _project_with_a_run(tmp_path, codebook, confidence=[0.95] * 3)
    with store.Project.open(path) as project:
        project.record(
            "kari", [Decision(answers[0], "follow_up", "accept", run), Decision(answers[0], "", "none")]
        )
    bulk_review(path, "kari", accept_from=0.9)  # decides answers 1 and 2 without reading them
    reviewed = store.reviewed_codes(path)
    assert (reviewed.decided, reviewed.decided_by_rule, reviewed.bulk_decisions) == (3, 2, 2)
    args = ["summary", str(BOTH), "--project", str(path), "--codebook", str(codebook), "--formats", "md"]
    result = CliRunner().invoke(app, [*args, "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    md = (tmp_path / "out" / "rapport.md").read_text(encoding="utf-8")
    # it was «… av … svar (100 %) er kodet av en koder» with two of them never read
    n = len(answers)
    assert f"1 av {n} svar (" in md and "er lest og kodet av en koder (kodere: kari)" in md
    assert f"Merk: {n - 1} av {n} svar er ikke lest av en koder: {n - 3} har bare maskinforslag" in md
    assert "og 2 er bestemt med en regel som godtar sikre maskinforslag uten at svaret leses" in md
    assert f"{n - 1} of {n} answers were read by no coder" in " ".join(result.output.split())
    assert "Svar som ikke er i kodefilen" not in md  # a project has no codes file


def test_suggestions_that_kept_hand_codes_say_so_in_the_note(tmp_path: Path, suggestions: Path) -> None:
    from coder.io import provenance_path

    learned = tmp_path / "learned.csv"
    shutil.copy(suggestions, learned)
    provenance_path(learned).write_text(
        json.dumps({"settings": {"human_coded_answers": 70}}), encoding="utf-8"
    )
    args = [
        "summary",
        str(BOTH),
        "--codes",
        str(learned),
        "--formats",
        "md",
        "--out-dir",
        str(tmp_path / "out"),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    md = (tmp_path / "out" / "rapport.md").read_text(encoding="utf-8")
    # the note said «maskinforslag … ikke gjennomgått» of every answer, the 70 hand-coded ones too
    assert "Kodene er maskinforslag fra «coder suggest» (unntatt 70 svar kodet av en koder" in md
    assert md.count("(unntatt 70 svar") == 2  # «Om tallene» too; it said «maskinforslag (ikke gjennomgått)»
    assert "but 70 answers coded by hand" in " ".join(result.output.split())


def test_a_project_a_coder_read_in_full_has_no_note_of_unread_answers(tmp_path: Path, codebook: Path) -> None:
    from coder import store
    from coder.store import Decision

    path, answers, run = _project_with_a_run(tmp_path, codebook)
    with store.Project.open(path) as project:
        project.record("kari", [d for a in answers for d in (Decision(a, "follow_up", "reject", run),
                                                             Decision(a, "", "none"))])  # fmt: skip
    args = ["summary", str(BOTH), "--project", str(path), "--codebook", str(codebook), "--formats", "md"]
    result = CliRunner().invoke(app, [*args, "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    md = (tmp_path / "out" / "rapport.md").read_text(encoding="utf-8")
    # it said «Merk: 0 av 132 svar er ikke lest av en koder ()» beside «132 av 132 svar (100 %)»
    assert "Merk:" not in md and "Note:" not in result.output
    assert f"{len(answers)} av {len(answers)} svar (100 %) er lest og kodet av en koder (kodere: kari)" in md


def test_a_report_of_no_coded_answer_is_one_error_and_no_folder(tmp_path: Path, codebook: Path) -> None:
    from coder import store

    fresh = tmp_path / "fresh.db"  # a project made, nothing suggested or decided: was a pandas KeyError
    store.init(fresh, None, codebook, manifest=OPPDAL).close()
    header_only = tmp_path / "koder.csv"
    header_only.write_text("id,code\n", encoding="utf-8")
    for source, why in (
        (["--project", str(fresh)], "no coder has decided an answer, and the project has no suggestion run"),
        (["--codes", str(header_only), "--codebook", str(codebook)], "the codes list none of the survey's"),
    ):
        out = tmp_path / "out"
        result = runner.invoke(
            app, ["summary", str(OPPDAL), *source, "--out-dir", str(out), "--formats", "md"]
        )
        assert result.exit_code == 2 and not out.exists()
        named = f"{fresh}: " if "--project" in source else ""
        assert result.stderr.startswith(
            f"Error: {named}no answer counts as coded, so there is nothing to report"
        )
        assert why in " ".join(result.stderr.split()) and "Traceback" not in result.output
    with pytest.raises(CoderError, match="nothing to report"):
        summary.summarize(OPPDAL, pd.DataFrame({"id": [], "code": []}), codebook)
