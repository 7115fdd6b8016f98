"""Fixtures for the whole suite: the tests under tests/ and the doctests under coder/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache_for_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Module-scoped fixtures run before the per-test fixture below: keep their caches out of home too."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "coder-cache"))
        yield


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the on-disk caches of a test run out of the user's home, shared within the run."""
    monkeypatch.setenv("CODER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "coder-cache"))
