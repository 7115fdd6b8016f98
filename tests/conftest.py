"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
UD_DIR = SHARED / "data" / "ud_norwegian_bokmaal"


@pytest.fixture
def ud_dir() -> Path:
    """The UD Norwegian Bokmål treebank in ../shared; the test skips when it is absent."""
    if not UD_DIR.is_dir():
        pytest.skip("../shared/data/ud_norwegian_bokmaal is absent")
    return UD_DIR


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's headless Chromium: found on PATH, else installed with apt-get where this user may (root, as
    on a CI machine), else the test skips with a message saying how to get it."""
    import os
    import shutil
    import subprocess

    def found() -> str | None:
        return shutil.which("chromium") or shutil.which("chromium-browser")

    if found() is None and shutil.which("apt-get") and os.geteuid() == 0:
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
            try:
                subprocess.run(command, capture_output=True, timeout=300, check=False, env=environment)
            except (OSError, subprocess.TimeoutExpired):
                break
    browser = found()
    if browser is None:
        pytest.skip("chromium is missing and could not be installed (apt-get install chromium, as root)")
    return browser


# Property tests (hypothesis): few examples and no deadline, so they stay fast on a shared machine and a
# first call that builds a cache is not taken for a failure.
from hypothesis import settings  # noqa: E402

settings.register_profile("coder", max_examples=60, deadline=None)
settings.load_profile("coder")
