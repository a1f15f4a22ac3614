"""The YAML codebook schema, as pydantic models.

These models only *check* the data (every key known, every value in range,
every regular expression compiles and does not backtrack catastrophically,
see :mod:`codingkit.patterns`); :mod:`codingkit.codebook` then builds
the :mod:`codingkit.model` objects from the checked data. The format is
described in ``docs/codebook.md``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Literal, Union

from ..patterns import PatternError, compile_user_pattern, show_pattern

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

#: A code id: lower-case ASCII, may be dotted (``tidig_dialog.rfi``).
CODE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
#: A codebook id.
CODEBOOK_ID = re.compile(r"^[a-z0-9_]+$")
COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
#: Characters allowed in a term or a word of a phrase (letters, digits,
#: hyphen, apostrophe, colon as in "LOU:s", and the glob characters
#: ``*``, ``?`` and ``[...]``).
WORD = re.compile(r"^[\w\-':*?.\[\]]+$")

MAX_WITHIN = 50
MAX_GAP = 10

# Keys of a rule in long form, by kind.
RULE_KINDS = ("term", "phrase", "regex", "near")


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


def _as_list(value: Any) -> Any:
    """Let a single value stand for a list of one."""
    if value is None or isinstance(value, (str, dict)):
        return [] if value is None else [value]
    return value


def _scalar_to_str(value: Any) -> Any:
    """YAML reads ``- 2030`` as a number; a rule or example means the text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return _nfc(value)


Text = Annotated[str, BeforeValidator(_nfc)]
Word = Annotated[str, BeforeValidator(_scalar_to_str)]


def _check_word(word: str, what: str) -> str:
    if not word:
        raise ValueError(f"{what} is empty")
    if not WORD.match(word):
        raise ValueError(
            f"{what} {word!r} is not one word (letters, digits, -, *, ?, [...]); "
            "write several words as a phrase, or use regex:")
    return word


def _check_phrase(text: str) -> str:
    words = text.split()
    if not words:
        raise ValueError("phrase is empty")
    for w in words:
        _check_word(w, "word")
    return " ".join(words)


def _rule_kind(value: Any) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return "short"
    return "long"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RuleSpec(_Strict):
    """A rule in long form: exactly one of ``term``, ``phrase``, ``regex``, ``near``."""

    term: Word | None = None
    phrase: Word | None = None
    regex: Annotated[str, BeforeValidator(_scalar_to_str)] | None = None
    near: Annotated[list[Word], BeforeValidator(_as_list)] | None = None
    with_: Annotated[list[Any], BeforeValidator(_as_list)] | None = Field(
        default=None, alias="with")
    within: Annotated[int, Field(ge=1, le=MAX_WITHIN)] | None = None
    gap: Annotated[int, Field(ge=0, le=MAX_GAP)] | None = None
    compound: bool | None = None
    fuzzy: Annotated[int, Field(ge=0, le=100)] | None = None
    weight: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0
    unless: Annotated[list["RuleItem"], BeforeValidator(_as_list)] = []

    @field_validator("term")
    @classmethod
    def _term_is_one_word(cls, v: str | None) -> str | None:
        return None if v is None else _check_word(v, "term")

    @field_validator("phrase")
    @classmethod
    def _phrase_words(cls, v: str | None) -> str | None:
        return None if v is None else _check_phrase(v)

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, v: str | None) -> str | None:
        if v is None:
            return None
        if not v:
            raise ValueError("regex is empty")
        try:
            compile_user_pattern(v, re.IGNORECASE)
        except PatternError as exc:
            if exc.reason == "syntax":
                raise ValueError(f"bad regular expression {show_pattern(v)}: "
                                 f"{exc.detail}") from None
            raise ValueError(exc.message) from None
        return v

    @field_validator("near")
    @classmethod
    def _near_words(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return None
        if not v:
            raise ValueError("near: needs at least one word")
        return [_check_word(w, "word") for w in v]

    @field_validator("with_")
    @classmethod
    def _with_groups(cls, v: list[Any] | None) -> list[Any] | None:
        if v is None:
            return None
        if not v:
            raise ValueError("with: needs at least one word")
        if all(isinstance(x, list) for x in v):
            groups = v
        elif any(isinstance(x, list) for x in v):
            raise ValueError("with: is either a list of words or a list of word lists")
        else:
            groups = [v]
        out = []
        for group in groups:
            if not group:
                raise ValueError("with: has an empty word list")
            words = []
            for w in group:
                w = _scalar_to_str(w)
                if not isinstance(w, str):
                    raise ValueError(f"with: expected words, got {w!r}")
                words.append(_check_word(w, "word"))
            out.append(words)
        return out

    @model_validator(mode="after")
    def _one_kind(self) -> "RuleSpec":
        kinds = [k for k in RULE_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            found = ", ".join(kinds) if kinds else "none"
            raise ValueError(
                "a rule needs exactly one of term:, phrase:, regex:, near: "
                f"(found {found})")
        kind = kinds[0]
        misplaced = []
        if kind != "near" and self.with_ is not None:
            misplaced.append("with")
        if kind != "near" and self.within is not None:
            misplaced.append("within")
        if kind != "phrase" and self.gap is not None:
            misplaced.append("gap")
        if kind != "term" and self.fuzzy is not None:
            misplaced.append("fuzzy")
        if kind == "regex" and self.compound is not None:
            misplaced.append("compound")
        if misplaced:
            raise ValueError(
                f"{', '.join(k + ':' for k in misplaced)} does not apply to a {kind}: rule")
        if kind == "near" and not self.with_:
            raise ValueError("a near: rule needs with: (the words that must be close by)")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in RULE_KINDS if getattr(self, k) is not None)


RuleItem = Annotated[
    Union[
        Annotated[Annotated[str, BeforeValidator(_scalar_to_str), AfterValidator(_check_phrase)],
                  Tag("short")],
        Annotated[RuleSpec, Tag("long")],
    ],
    Discriminator(_rule_kind),
]
RuleSpec.model_rebuild()

RuleList = Annotated[list[RuleItem], BeforeValidator(_as_list)]
Role = Literal["respondent", "interviewer"]


class CodeSpec(_Strict):
    """One code: a theme, or (inside ``codes:``) a sub-code."""

    id: str
    label: Text
    label_en: Text | None = None
    color: str | None = None
    description: Text = ""
    include: Text = ""
    exclude: Text = ""
    codable: bool = True
    scope: Annotated[list[Role], BeforeValidator(_as_list)] = ["respondent"]
    threshold: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    parent: str | None = None
    rules: RuleList = []
    exclusions: RuleList = []
    examples: Annotated[list[Word], BeforeValidator(_as_list)] = []
    negative_examples: Annotated[list[Word], BeforeValidator(_as_list)] = []
    codes: list["CodeSpec"] = []

    @field_validator("id", "parent")
    @classmethod
    def _id_syntax(cls, v: str | None) -> str | None:
        if v is None:
            return None
        if not v:
            raise ValueError("id is empty")
        if not CODE_ID.match(v):
            raise ValueError(
                f"bad code id {v!r}: expected lower-case letters, digits and _, "
                "starting with a letter, parts joined by '.' (e.g. tidig_dialog.rfi)")
        return v

    @field_validator("label")
    @classmethod
    def _label_not_empty(cls, v: str) -> str:
        if not v:
            raise ValueError("label is empty")
        return v

    @field_validator("color")
    @classmethod
    def _color(cls, v: str | None) -> str | None:
        if v is not None and not COLOR.match(v):
            raise ValueError(f"bad colour {v!r}: expected #RRGGBB, e.g. \"#1f77b4\"")
        return v

    @field_validator("scope")
    @classmethod
    def _scope_not_empty(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("scope names no speaker role (respondent, interviewer)")
        return v


CodeSpec.model_rebuild()


class HeaderSpec(_Strict):
    """The ``codebook:`` header."""

    id: str
    version: str
    title: Text = ""
    language: Text = "sv"
    description: Text = ""

    @field_validator("id")
    @classmethod
    def _id_syntax(cls, v: str) -> str:
        if not CODEBOOK_ID.match(v):
            raise ValueError(
                f"bad codebook id {v!r}: expected lower-case letters, digits and _")
        return v


class CodebookSpec(_Strict):
    """A whole codebook file."""

    codebook: HeaderSpec | None = None
    codes: list[CodeSpec] = Field(min_length=1)
