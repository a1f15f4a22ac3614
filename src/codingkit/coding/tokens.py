"""The tokens of a segment: made once, read by every stage of coding.

Cutting a turn into sentences, matching the rules, counting content words
and the similarity model's lemma features all read the same tokenisation
of a segment (spaCy's rule-based Swedish tokenizer, through
:func:`codingkit.swedish.get_analyzer`). A :class:`Tokens` keeps what they
read — each token's lower-case form (as spaCy's string hash), its offset
in the segment's text and its length — in one small array, so that a turn
is tokenised once and no spaCy ``Doc`` has to be kept.

>>> from codingkit.swedish import get_analyzer
>>> nlp = get_analyzer().nlp
>>> doc = nlp.make_doc("Ja. Vi bjöd in dem.")
>>> toks = Tokens.of(doc, 4, 19)          # the tokens of "Vi bjöd in dem."
>>> [toks.vocab.strings[h] for h in toks.to_array(LOWER).tolist()]
['vi', 'bjöd', 'in', 'dem', '.']
>>> toks.to_array([IDX, LENGTH]).tolist()[:2]
[[0, 2], [3, 4]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from spacy.attrs import IDX, LENGTH, LOWER

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["Tokens", "ATTRS", "LOWER", "IDX", "LENGTH"]

#: The token attributes a :class:`Tokens` keeps, in its columns' order.
ATTRS = [LOWER, IDX, LENGTH]
_COLUMN = {LOWER: 0, IDX: 1, LENGTH: 2}


class Tokens:
    """The tokens of one text, as the coding stages read them.

    It answers the part of a spaCy ``Doc``'s interface that they use —
    ``len(tokens)``, ``tokens.to_array(attrs)`` for ``LOWER``, ``IDX`` and
    ``LENGTH``, and ``tokens.vocab`` (whose strings name the ``LOWER``
    hashes) — so a stage takes either.

    Attributes
    ----------
    array:
        ``n × 3`` unsigned integers: ``LOWER``, ``IDX`` (offset in the
        text) and ``LENGTH`` of each token.
    vocab:
        The spaCy vocabulary of the tokenizer that made them.
    """

    __slots__ = ("array", "vocab")

    def __init__(self, array: "np.ndarray", vocab) -> None:
        self.array = array
        self.vocab = vocab

    @classmethod
    def of(cls, doc, start: int = 0, end: int | None = None) -> "Tokens":
        """The tokens of ``doc.text[start:end]`` (those lying wholly inside it),
        with offsets counted from ``start``.

        A slice is the same as tokenising ``doc.text[start:end]`` on its own
        when the slice begins and ends at white space or at the ends of the
        text (the tokenizer splits at white space first); see
        :func:`cut_at_space`.
        """
        arr = doc.to_array(ATTRS)
        if start or (end is not None and end < len(doc.text)):
            if len(arr):
                idx = arr[:, 1]
                inside = (idx >= start) & (idx + arr[:, 2] <= (len(doc.text) if end is None
                                                                 else end))
                arr = arr[inside]
                arr[:, 1] -= start
        return cls(arr, doc.vocab)

    def __len__(self) -> int:
        return len(self.array)

    def to_array(self, attrs: int | Sequence[int]) -> "np.ndarray":
        """The values of ``attrs`` (one attribute: a vector; a list: columns),
        as ``Doc.to_array``."""
        if isinstance(attrs, int):
            return self.array[:, _COLUMN[attrs]]
        cols = [_COLUMN[a] for a in attrs]
        return self.array if cols == [0, 1, 2] else self.array[:, cols]


def cut_at_space(text: str, start: int, end: int, lo: int, hi: int) -> bool:
    """Whether ``text[start:end]`` begins and ends at white space or at the
    ends of ``text[lo:hi]``: then its tokens are those of the longer text
    (the tokenizer splits at white space before anything else).

    >>> cut_at_space("Ja. Vi gick.", 4, 12, 0, 12), cut_at_space("Ja.Vi gick.", 3, 11, 0, 11)
    (True, False)
    """
    return ((start == lo or text[start - 1].isspace())
            and (end == hi or text[end].isspace()))
