"""Shared fixtures: the default codebook and its rule matcher, loaded once."""

import pytest

from codingkit.codebook import load_codebook
from codingkit.coding.rules import RuleMatcher


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


@pytest.fixture(scope="session")
def matcher(codebook):
    return RuleMatcher(codebook)


@pytest.fixture(scope="session")
def themes_of(codebook, matcher):
    """The themes the default codebook's rules assign to a text."""

    def themes(text: str) -> set[str]:
        return {codebook.theme_of(h.code) for h in matcher.match(text)}

    return themes
