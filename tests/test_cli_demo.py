"""`coder demo`: the main job on the bundled examples in one command, and with no network at all."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from coder import store
from coder.cli import app

# Run before coder is imported: every attempt to reach the network (a name lookup, a connection, a datagram)
# is written down and refused, so the demo shows it needs none and a test sees any that is tried.
NO_NETWORK = """
import json, socket, sys
attempts = []

def refuse(what):
    def refused(*args, **kwargs):
        attempts.append(what + " " + repr(args[1:2] if what.startswith("socket.") else args[:1]))
        raise OSError("network blocked by the test")
    return refused

def closed_to(original, what):
    def checked(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            return refuse(what)(self, address)
        return original(self, address, *args, **kwargs)
    return checked

socket.getaddrinfo = refuse("getaddrinfo")
socket.gethostbyname = refuse("gethostbyname")
socket.create_connection = refuse("create_connection")
for name in ("connect", "connect_ex", "sendto"):
    setattr(socket.socket, name, closed_to(getattr(socket.socket, name), "socket." + name))

from coder.cli import app
try:
    app(sys.argv[2:], standalone_mode=False)
finally:
    with open(sys.argv[1], "w") as handle:
        json.dump(attempts, handle)
"""


def test_the_demo_writes_the_whole_report_without_touching_the_network(tmp_path: Path) -> None:
    attempts = tmp_path / "attempts.json"
    out = tmp_path / "demo"
    ran = subprocess.run(
        [sys.executable, "-c", NO_NETWORK, str(attempts), "demo", "--out-dir", str(out)],
        capture_output=True,
        text=True,
        timeout=200,
        check=False,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-2000:]
    assert json.loads(attempts.read_text(encoding="utf-8")) == []  # not one lookup or connection tried
    steps = ("suggest", "review", "network", "link", "discover", "report")
    assert all(step in ran.stdout for step in steps) and "micro-F1" in ran.stdout
    # «132 accepted» (codes) beside «100 of 132 answers decided» read as one count
    assert re.search(r"\d+ codes accepted \(>= 0\.9\)", " ".join(ran.stdout.split()))
    page = (out / "rapport" / "rapport.html").read_text(encoding="utf-8")
    for section in ("Undersøkelsen", "Kontaktnettet", "Kontakt med politikerne", "Temaer etter posisjon",
                    "Idédugnad", "Om tallene"):  # fmt: skip
        assert section in page
    assert "http://" not in page and "https://" not in page.replace('xmlns="http', "")  # no remote resource
    with store.Project.open(out / "prosjekt.db") as project:
        assert project.coders() == ["demo"] and len(project.log()) > 0
    assert (out / "kandidater.yaml").is_file() and (out / "posisjon" / "link.json").is_file()


def test_the_network_guard_sees_an_attempt(tmp_path: Path) -> None:
    """The guard above is what the demo test relies on: a command that does reach out is caught."""
    attempts = tmp_path / "attempts.json"
    probe = NO_NETWORK.replace(
        "from coder.cli import app",
        "import urllib.request\ntry:\n    urllib.request.urlopen('http://example.org', timeout=1)\n"
        "except OSError:\n    pass\nfrom coder.cli import app",
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe, str(attempts), "--help"], capture_output=True, timeout=60, check=False
    )
    assert ran.returncode == 0, ran.stderr[-1000:]
    assert json.loads(attempts.read_text(encoding="utf-8"))  # the lookup was seen and refused


def test_a_bad_seed_stops_the_demo_before_it_writes_anything(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out-dir", str(tmp_path / "demo"), "--seed", "-1"])
    assert result.exit_code == 2 and "Invalid value for '--seed'" in result.output
    assert not (tmp_path / "demo").exists()


def test_the_demo_never_replaces_a_project_with_a_researchers_decisions(tmp_path: Path) -> None:
    from support.store import ANSWERS, CODEBOOK

    project = tmp_path / "demo" / "prosjekt.db"
    project.parent.mkdir()
    with store.init(project, ANSWERS, CODEBOOK) as opened:
        opened.record("kari", [store.Decision("r1:q1", "follow_up", "add")])
    before = project.read_bytes()
    result = CliRunner().invoke(app, ["demo", "--out-dir", str(tmp_path / "demo")])
    assert result.exit_code == 2
    assert "a coding project with decisions of kari is in the way" in result.output
    assert project.read_bytes() == before and sorted(p.name for p in project.parent.iterdir()) == [
        "prosjekt.db"
    ]
