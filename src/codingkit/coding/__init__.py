"""Coding: turn segments into codings with evidence.

- :mod:`codingkit.coding.rules`: the rule engine (terms, phrases, near,
  regex, exclusions; fuzzy terms) over Swedish lemmas and compounds.
- :mod:`codingkit.coding.coder`: :class:`Coder`, which applies a codebook
  to transcripts or segments and returns a :class:`~codingkit.model.CodingResult`.
"""

from .coder import Coder

__all__ = ["Coder"]
