"""The YAML codebook schema, as pydantic models.

These models only *check* the data (every key known, every value in range,
every regular expression compiles and does not backtrack catastrophically,
see :mod:`codingkit.patterns`); :mod:`codingkit.codebook` then builds
the :mod:`codingkit.model` objects from the checked data. The format is
described in ``docs/codebook.md``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Mapping, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails

from ..rulekinds import OPTIONS, RULE_KINDS, RuleKind
from ..rulekinds.values import Phrase, Word, as_list, check_word, nfc, scalar_to_str

#: A code id: lower-case ASCII, may be dotted (``tidig_dialog.rfi``).
CODE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
#: A codebook id.
CODEBOOK_ID = re.compile(r"^[a-z0-9_]+$")
COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")

MAX_WITHIN = 50
MAX_GAP = 10

Text = Annotated[str, BeforeValidator(nfc)]


def _rule_kind(value: Any) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return "short"
    return "long"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _KindsRead(dict):
    """A rule's keys without its kind keys, whose values are already checked."""

    values: dict[str, Any]
    errors: list[InitErrorDetails]


_ADAPTERS: dict[str, tuple[RuleKind, TypeAdapter]] = {}


def _read_value(kind: RuleKind, value: Any) -> Any:
    """The value of a kind's key, checked by the kind's type (``None``: absent)."""
    cached = _ADAPTERS.get(kind.name)
    if cached is None or cached[0] is not kind:
        cached = _ADAPTERS[kind.name] = (kind, TypeAdapter(Union[kind.value, None]))
    return cached[1].validate_python(value)


def _errors(exc: ValidationError, *loc: str | int) -> list[InitErrorDetails]:
    """The errors of ``exc``, their locations below ``loc``."""
    return [InitErrorDetails(type=e["type"], loc=(*loc, *e["loc"]), input=e["input"],
                             **({"ctx": e["ctx"]} if "ctx" in e else {}))  # type: ignore[typeddict-item]
            for e in exc.errors(include_url=False)]


class RuleSpec(_Strict):
    """A rule in long form: exactly one kind key (``term``, ``phrase``,
    ``regex``, ``near`` or a kind registered in :mod:`codingkit.rulekinds`),
    with the options its kind takes.

    The kind keys are not fields: they are looked up in the registry, their
    values checked by the kind's type (errors are reported at the key, with
    every other problem of the rule), and the kind and its value are
    :attr:`kind` and :attr:`value`.
    """

    with_: Annotated[list[Any], BeforeValidator(as_list)] | None = Field(
        default=None, alias="with")
    within: Annotated[int, Field(ge=1, le=MAX_WITHIN)] | None = None
    gap: Annotated[int, Field(ge=0, le=MAX_GAP)] | None = None
    compound: bool | None = None
    fuzzy: Annotated[int, Field(ge=0, le=100)] | None = None
    weight: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0
    unless: Annotated[list["RuleItem"], BeforeValidator(as_list)] = []
    _kind: str = PrivateAttr("")
    _value: Any = PrivateAttr(None)

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
                w = scalar_to_str(w)
                if not isinstance(w, str):
                    raise ValueError(f"with: expected words, got {w!r}")
                words.append(check_word(w, "word"))
            out.append(words)
        return out

    @model_validator(mode="wrap")
    @classmethod
    def _kind_keys(cls, data: Any, handler: Any) -> "RuleSpec":
        if isinstance(data, _KindsRead) or not isinstance(data, Mapping):
            # pydantic runs this twice on a nested rule: the outer call has
            # read the kind keys already
            return handler(data)
        rest = _KindsRead((k, v) for k, v in data.items() if k not in RULE_KINDS)
        rest.values, errors = {}, []
        for name, kind in RULE_KINDS.items():
            if name in data:
                try:
                    value = _read_value(kind, data[name])
                except ValidationError as exc:
                    errors += _errors(exc, name)
                    continue
                if value is not None:
                    rest.values[name] = value
        try:
            spec = handler(rest)
        except ValidationError as exc:
            errors += _errors(exc)
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        spec._check_kind(rest.values)
        return spec

    def _check_kind(self, values: dict[str, Any]) -> None:
        if len(values) != 1:
            found = ", ".join(values) if values else "none"
            raise ValueError(
                f"a rule needs exactly one of {', '.join(k + ':' for k in RULE_KINDS)} "
                f"(found {found})")
        [(name, value)] = values.items()
        kind = RULE_KINDS[name]
        given = {"with": self.with_, "within": self.within, "gap": self.gap,
                 "fuzzy": self.fuzzy, "compound": self.compound}
        misplaced = [k for k in OPTIONS if given[k] is not None and k not in kind.options]
        if misplaced:
            raise ValueError(
                f"{', '.join(k + ':' for k in misplaced)} does not apply to a {name}: rule")
        if kind.check is not None:
            kind.check(self)
        self._kind, self._value = name, value

    @property
    def kind(self) -> str:
        """The rule's kind: its key (``term``, ``near``, ...)."""
        return self._kind

    @property
    def value(self) -> Any:
        """The value of the kind's key, as the kind's type read it."""
        return self._value


RuleItem = Annotated[
    Union[
        Annotated[Phrase, Tag("short")],
        Annotated[RuleSpec, Tag("long")],
    ],
    Discriminator(_rule_kind),
]
RuleSpec.model_rebuild()

RuleList = Annotated[list[RuleItem], BeforeValidator(as_list)]
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
    scope: Annotated[list[Role], BeforeValidator(as_list)] = ["respondent"]
    threshold: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    parent: str | None = None
    rules: RuleList = []
    exclusions: RuleList = []
    examples: Annotated[list[Word], BeforeValidator(as_list)] = []
    negative_examples: Annotated[list[Word], BeforeValidator(as_list)] = []
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
