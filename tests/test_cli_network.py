"""The command line of coder.network (`coder ...` through typer's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from support.network import BOTH, OPPDAL, REPO
from typer.testing import CliRunner

from coder.cli import app

runner = CliRunner()


def test_cli_network_writes_tables_and_gephi_files(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["network", str(OPPDAL), "--level", "weekly", "-o", str(tmp_path), "--gephi", "graphml"]
    )
    assert result.exit_code == 0, result.output
    assert "Network: Oppdal" in result.output and "Political contact" in result.output
    positions = pd.read_csv(tmp_path / "positions.csv")
    assert len(positions) == 29 and set(positions["level"]) == {"weekly"}
    summary = pd.read_csv(tmp_path / "network.csv")
    assert summary.loc[0, "isolates"] == 6
    assert (tmp_path / "political_by_body.csv").exists() and (tmp_path / "oppdal_ukentlig.graphml").exists()


def test_cli_network_tables_fit_an_80_column_terminal() -> None:
    result = runner.invoke(app, ["network", str(BOTH)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert (
        "Network: Rissa" in result.output and "betw = betweenness" in result.output
    )  # short names explained
    assert "Oppdal daily" not in result.output and "isolate" in result.output  # a table per municipality
    # Oppdal: «brokers 0» in its table, yet people with brokerage counts: the two are told apart, once
    text = " ".join(result.output.split())
    assert text.count("A broker (role) has betweenness 0.1 or more") == 1 and "Gould–Fernandez" in text
    result = runner.invoke(app, ["network", str(BOTH), "--broker-betweenness", "0.25", "--level", "all"])
    assert " ".join(result.output.split()).count("A broker (role) has betweenness 0.25 or more") == 1


def test_cli_network_bad_level_exits_2() -> None:
    result = runner.invoke(app, ["network", str(OPPDAL), "--level", "hourly"])
    assert result.exit_code == 2
    assert "unknown level 'hourly' (use daily, weekly, monthly or all)" in result.output  # all is one here


def test_cli_network_out_is_a_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    result = runner.invoke(
        app, ["network", str(OPPDAL), "--level", "daily", "--out-dir", str(tmp_path / "file.txt")]
    )
    assert result.exit_code == 2 and "expected a directory, found a file" in result.output


def test_cli_network_bad_manifest_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["network", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "manifest not found" in result.output


def test_cli_network_bad_export_format_fails_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["network", str(OPPDAL), "--level", "weekly", "--out-dir", str(out), "--gephi", "pdf"]
    )
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "unknown export format 'pdf'" in lines[0], result.output  # no tables printed
    assert not out.exists()  # no CSV written


def test_cli_network_bad_level_fails_before_reading_the_manifest(tmp_path: Path) -> None:
    result = runner.invoke(app, ["network", str(tmp_path / "missing.yaml"), "--level", "hourly"])
    assert result.exit_code == 2 and "unknown level 'hourly'" in result.output, result.output


def test_cli_network_prints_the_most_between_people_of_a_large_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from coder import cli

    monkeypatch.setattr(cli, "SHOWN_POSITIONS", 5)
    manifest = str(REPO / "examples" / "oppdal" / "manifest.yaml")
    result = CliRunner().invoke(cli.app, ["network", manifest, "--level", "weekly"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "(5 of 29)" in result.output
    assert "The most between first; everyone is in positions.csv" in result.output
    positions = result.output.split("Positions")[1].split("Political")[0]
    assert sum(line.count("│ O") for line in positions.splitlines()) == 5


def test_cli_network_default_level_is_weekly_as_in_link_and_all_draws_three() -> None:
    result = runner.invoke(app, ["network", str(OPPDAL), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # one JSON object and nothing else on stdout
    # changed: the tables by function and per person were in the CSVs only
    tables = {
        "network",
        "positions",
        "political",
        "political_by_body",
        "political_by_function",
        "political_people",
    }
    assert set(data) == tables
    assert sum(row["with_contact"] for row in data["political"]) == len(data["political_people"]) == 10
    assert {row["level"] for row in data["positions"]} == {"weekly"} and len(data["positions"]) == 29
    assert [row["isolates"] for row in data["network"]] == [6]
    result = runner.invoke(app, ["network", str(OPPDAL), "--level", "all", "--json"])
    assert [row["level"] for row in json.loads(result.stdout)["network"]] == ["daily", "weekly", "monthly"]


def test_cli_network_pictures_go_under_out_dir(tmp_path: Path) -> None:
    result = runner.invoke(app, ["network", str(OPPDAL), "--plot"])
    assert result.exit_code == 2 and "option --out-dir: --plot and --gephi write into" in result.output
    result = runner.invoke(app, ["network", str(OPPDAL), "--out-dir", str(tmp_path), "--plot", "--json"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "positions.csv").exists() and list((tmp_path / "figurer").glob("*.png"))
    assert "files written" in result.stderr and "files written" not in result.stdout


def test_an_out_dir_holds_one_run_and_a_folder_in_the_way_stops_it_before_any_file(tmp_path: Path) -> None:
    out = tmp_path / "nett"
    first = runner.invoke(app, ["network", str(OPPDAL), "--out-dir", str(out), "--plot", "--gephi", "gexf"])
    assert first.exit_code == 0, first.output
    assert (out / "oppdal_ukentlig.gexf").is_file() and (out / "figurer" / "oppdal_ukentlig.png").is_file()
    (out / "mine notater.txt").write_text("mine", encoding="utf-8")
    again = runner.invoke(app, ["network", str(OPPDAL), "--out-dir", str(out), "--level", "daily",
                                "--gephi", "graphml"])  # fmt: skip
    assert again.exit_code == 0, again.output
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert (
        "oppdal_ukentlig.gexf" not in left and "figurer/oppdal_ukentlig.png" not in left
    )  # the earlier run's
    assert {"oppdal_daglig.graphml", "positions.csv", "mine notater.txt"} <= set(left)
    before = (out / "positions.csv").read_bytes()
    (out / "oppdal_ukentlig.gexf").mkdir()  # in the way of this run's Gephi file
    blocked = runner.invoke(
        app, ["network", str(OPPDAL), "--out-dir", str(out), "--mutual", "--gephi", "gexf"]
    )
    assert blocked.exit_code == 2 and "is in the way of an output" in blocked.output
    assert (out / "positions.csv").read_bytes() == before  # nothing moved


def test_network_and_summary_in_one_folder_leave_each_other_s_files(tmp_path: Path) -> None:
    out = tmp_path / "ut"
    assert runner.invoke(app, ["network", str(OPPDAL), "--out-dir", str(out)]).exit_code == 0
    codes = REPO / "examples" / "oppdal" / "koder.csv"
    summary = ["summary", str(OPPDAL), "--codes", str(codes), "--out-dir", str(out), "--formats", "csv"]
    assert runner.invoke(app, summary).exit_code == 0
    assert (out / "positions.csv").is_file() and (out / "temaer.csv").is_file()
    assert runner.invoke(app, ["network", str(OPPDAL), "--out-dir", str(out)]).exit_code == 0
    assert (out / "temaer.csv").is_file()  # each command removes only what it wrote before


def test_an_output_never_replaces_a_data_file_of_the_same_name(tmp_path: Path) -> None:
    # the contacts kept as network.csv in the output folder: it was replaced by the network table
    import shutil

    shutil.copytree(OPPDAL.parent, tmp_path, dirs_exist_ok=True)
    (tmp_path / "kontakter.csv").rename(tmp_path / "network.csv")
    manifest = tmp_path / OPPDAL.name
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("kontakter.csv", "network.csv"), encoding="utf-8"
    )
    before = (tmp_path / "network.csv").read_bytes()
    result = runner.invoke(app, ["network", str(manifest), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "network.csv: an output of this name would replace this input file" in result.output
    assert (tmp_path / "network.csv").read_bytes() == before and not (tmp_path / "positions.csv").exists()


def test_a_survey_without_political_contacts_says_so_not_zero_of_n(tmp_path: Path) -> None:
    from support.network import write_survey

    write_survey(tmp_path, "Tiny", "id,functions\nP1,A\nP2,B\n", "from,to,freq\nP1,P2,daily\n")
    result = runner.invoke(app, ["network", str(tmp_path / "m.yaml")], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "Political contact: none recorded" in result.output and "with_contact" not in result.output


def test_an_out_dir_without_write_permission_is_named_not_its_staging_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from coder import io

    closed = tmp_path / "lukket"
    closed.mkdir()
    real_access = os.access
    # a folder the user may not write in (root, who runs the tests here, may write anywhere)
    monkeypatch.setattr(
        io.os, "access", lambda p, mode: not (Path(p) == closed and mode & os.W_OK) and real_access(p, mode)
    )
    result = runner.invoke(app, ["network", str(OPPDAL), "--out-dir", str(closed)])
    assert result.exit_code == 2 and ".staging" not in result.output
    assert result.stderr.strip() == f"Error: {closed}: no permission to write in the output directory"
    assert result.stdout == ""  # said before any table, not after them all
    assert list(closed.iterdir()) == []


@pytest.mark.parametrize("command", ["network", "link"])
def test_a_file_as_the_output_folder_is_said_before_any_table(tmp_path: Path, command: str) -> None:
    taken = tmp_path / "tabell.csv"
    taken.write_text("x\n", encoding="utf-8")
    codes = ["--codes", str(OPPDAL.parent / "koder.csv")] if command == "link" else []
    result = runner.invoke(app, [command, str(OPPDAL), *codes, "--out-dir", str(taken)])
    assert result.exit_code == 2 and result.stdout == ""  # every table was printed first
    assert result.stderr.strip() == f"Error: {taken}: expected a directory, found a file"
