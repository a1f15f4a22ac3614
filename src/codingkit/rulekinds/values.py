"""The values rules take, as pydantic types: a word, a phrase, a word list.

Each checks what it reads and raises ``ValueError`` with the message the
codebook reports (with the file and line). Text is NFC-normalised; YAML's
numbers (``- 2030``) are read as the words they spell.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

#: Characters allowed in a term or a word of a phrase (letters, digits,
#: hyphen, apostrophe, colon as in "LOU:s", and the glob characters
#: ``*``, ``?`` and ``[...]``).
WORD = re.compile(r"^[\w\-':*?.\[\]]+$")


def nfc(value: Any) -> Any:
    """NFC-normalised and stripped, if text."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


def as_list(value: Any) -> Any:
    """Let a single value stand for a list of one."""
    if value is None or isinstance(value, (str, dict)):
        return [] if value is None else [value]
    return value


def scalar_to_str(value: Any) -> Any:
    """YAML reads ``- 2030`` as a number; a rule or example means the text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return nfc(value)


def check_word(word: str, what: str) -> str:
    """``word`` if it is one word (``what`` names it in the message)."""
    if not word:
        raise ValueError(f"{what} is empty")
    if not WORD.match(word):
        raise ValueError(
            f"{what} {word!r} is not one word (letters, digits, -, *, ?, [...]); "
            "write several words as a phrase, or use regex:")
    return word


def check_phrase(text: str) -> str:
    """The words of ``text`` joined by single spaces, each checked."""
    words = text.split()
    if not words:
        raise ValueError("phrase is empty")
    for w in words:
        check_word(w, "word")
    return " ".join(words)


def word_list(key: str) -> Any:
    """A non-empty list of words (a single word stands for a list of one),
    for the key ``key``."""
    def check(words: list[str]) -> list[str]:
        if not words:
            raise ValueError(f"{key}: needs at least one word")
        return [check_word(w, "word") for w in words]

    return Annotated[list[Word], BeforeValidator(as_list), AfterValidator(check)]


#: A word as written: to be checked with :func:`check_word`.
Word = Annotated[str, BeforeValidator(scalar_to_str)]
#: Several words (a phrase), joined by single spaces.
Phrase = Annotated[str, BeforeValidator(scalar_to_str), AfterValidator(check_phrase)]
