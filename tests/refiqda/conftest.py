"""Fixtures for the REFI-QDA tests; the data lives in ``refiqda_helpers``."""

from __future__ import annotations

from pathlib import Path

import pytest
from refiqda_helpers import FIXTURES, make_codebook, make_result, zip_folder

from codingkit.model import Codebook, CodingResult


@pytest.fixture
def codebook() -> Codebook:
    return make_codebook()


@pytest.fixture
def result() -> CodingResult:
    return make_result()


@pytest.fixture
def qdpx_from(tmp_path):
    """Build ``<tmp>/<name>.qdpx`` from ``fixtures/<name>/``."""

    def build(name: str) -> Path:
        return zip_folder(FIXTURES / name, tmp_path / f"{name}.qdpx")

    return build
