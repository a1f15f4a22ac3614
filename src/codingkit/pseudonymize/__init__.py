"""Pseudonymisation of Swedish transcripts, offline and reversible with a key.

>>> import codingkit as ck
>>> from codingkit.pseudonymize import Pseudonymizer, PseudonymKey
>>> p = Pseudonymizer(PseudonymKey())
>>> t = ck.Transcript("a.txt", "Karin: Ring Annas chef på 070-123 45 67.",
...                   [ck.Turn(1, 7, 40, speaker="Karin")])
>>> new = p.transcripts([t])[0]
>>> new.text, new.turns[0].speaker
('[Person 1]: Ring [Person 2]s chef på [Telefon 1].', '[Person 1]')
>>> new.text[new.turns[0].start:new.turns[0].end]
'Ring [Person 2]s chef på [Telefon 1].'

What is replaced, each by a typed, numbered pseudonym that a
:class:`PseudonymKey` keeps stable across files and runs:

- persons: speakers' names (labels, manifest/header fields ``interviewer``,
  ``respondent``, ``transkriberad av``, ...), and in running text their full
  names, first names and surnames with genitive ``-s``/``'s``/``:s``; names of
  a user's list; unknown names: first names of :data:`names.FIRST_NAMES`,
  and capitalised words of a Swedish surname shape after a first name or in
  the middle of a sentence (:data:`names.SURNAME_RE`);
- personnummer and samordningsnummer (10/12 digits, with or without century
  and separator, validated with the ``personnummer`` package), Swedish phone
  numbers, e-mail addresses, street addresses (``Storgatan 12``, with a
  following postcode and town);
- never what is kept: :data:`names.KEEP_DEFAULT`, the projects' names, and
  ``keep`` terms (e.g. the codebook's words);
- the same in the transcripts' source names (their folders and file name:
  ``Intervju Anna Svensson.docx`` → ``Intervju [Person 1].docx``), with the
  same pseudonyms (:meth:`Pseudonymizer.find_in_source`).

Other capitalised words in the middle of a sentence that are not kept are
*candidates*: :meth:`Pseudonymizer.scan` lists them for review.

Error codes: E801 not a key file; E802 a key for other settings; E803 an
unreadable list file; E804 a key inside the results folder or another
folder of pseudonymised results or copies; E805 a table to
restore that cannot be read; E806 a restored table that would be written
inside a folder of pseudonymised results or copies; E807 a run whose inputs
mix pseudonymised copies and originals; E808 texts that are not
pseudonymised written inside a folder of pseudonymised results or copies;
E809 two transcripts that would have one name once pseudonymised (source
or copy); E810 a copy's name that would hold a pseudonym Windows does not
allow in a file name.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..errors import PseudonymError
from ..model import Transcript
from . import names as _names

__all__ = ["PseudonymKey", "Pseudonymizer", "Span", "PseudonymError", "read_name_list",
           "depseudonymize_text", "check_key_location", "check_restored_location",
           "pseudonymized_results_folder", "shared_folder", "pseudonymize_for_apply",
           "results_pseudonymized", "copies_folder", "inputs_are_copies", "copies_options",
           "check_shared_output", "texts_pseudonymized", "renamed_sources",
           "DEFAULT_FORMAT", "KEY_FORMAT"]

#: The default pseudonym format; ``{type}`` and ``{n}`` are filled in.
DEFAULT_FORMAT = "[{type} {n}]"
#: The key file's format tag.
KEY_FORMAT = "codingkit-pseudonym-key/1"

PERSON, PHONE, EMAIL, PNR, ADDRESS, NAME = (
    "Person", "Telefon", "E-post", "Personnummer", "Adress", "Namn")
TYPES = (PERSON, PHONE, EMAIL, PNR, ADDRESS, NAME)

#: Metadata keys whose value is a person (unless it is a role label).
PERSON_FIELDS = frozenset(
    {"interviewer", "intervjuare", "respondent", "intervjuperson", "informant", "svarande",
     "transkriberad av", "transkriberare", "transkribering", "moderator", "deltagare",
     "kontaktperson", "namn", "name"})
#: Metadata kept as it is.
PLAIN_FIELDS = frozenset({"project", "round", "role", "datum", "date", "tid", "time",
                          "längd", "duration", "id", "version", "språk"})


@dataclass(frozen=True)
class Span:
    """One replacement: ``text[start:end]`` (``original``) becomes the
    pseudonym of ``(type, norm)``, followed by ``suffix`` (a genitive ``s``)."""

    start: int
    end: int
    type: str
    original: str
    norm: str
    suffix: str = ""


# --------------------------------------------------------------------------
# the key
# --------------------------------------------------------------------------


class PseudonymKey:
    """Pseudonym ↔ original, numbered per type in order of first sight.

    ``format`` is the pseudonym format (``"[{type} {n}]"``); a key loaded
    with :meth:`load` refuses another format (E802).
    """

    def __init__(self, format: str = DEFAULT_FORMAT) -> None:
        try:
            format.format(type="Person", n=1)
        except (KeyError, IndexError, ValueError) as err:
            raise PseudonymError(f"pseudonym format {format!r} is not valid ({err}); expected "
                                 "text with {type} and {n}, e.g. '[{type} {n}]'",
                                 code="E802") from None
        if "{n}" not in format:
            raise PseudonymError(f"pseudonym format {format!r} has no {{n}}; pseudonyms "
                                 "would not be unique", code="E802")
        if "{type}" not in format:
            # numbers count per type: without {type}, a person, a phone and an
            # e-mail would all be "<1>" and the key could not tell them apart
            raise PseudonymError(f"pseudonym format {format!r} has no {{type}}; persons, "
                                 "phones, e-mails and addresses would get the same "
                                 "pseudonyms; expected text with {type} and {n}, e.g. "
                                 "'<{type} {n}>'", code="E802")
        self.format = format
        self._by_norm: dict[tuple[str, str], str] = {}
        self._entries: dict[str, dict] = {}
        self._count: dict[str, int] = {}
        self.added = 0

    def __len__(self) -> int:
        return len(self._entries)

    def shortest(self) -> int:
        """The length of the shortest pseudonym this format gives."""
        return min(len(self.format.format(type=t, n=1)) for t in TYPES)

    def pseudonym(self, type: str, norm: str, original: str) -> str:
        """The pseudonym of ``(type, norm)``, made (numbered) on first sight."""
        p = self._by_norm.get((type, norm))
        if p is None:
            n = self._count.get(type, 0) + 1
            p = self.format.format(type=type, n=n)
            while p in self._entries:  # taken (a hand-edited key): never two originals
                n += 1
                p = self.format.format(type=type, n=n)
            self._count[type] = n
            self._by_norm[(type, norm)] = p
            self._entries[p] = {"pseudonym": p, "type": type, "original": original,
                                "norm": norm}
            self.added += 1
        return p

    def get(self, type: str, norm: str) -> str | None:
        return self._by_norm.get((type, norm))

    def originals(self) -> dict[str, str]:
        """Pseudonym → original."""
        return {p: e["original"] for p, e in self._entries.items()}

    def restorer(self) -> "_Restorer":
        """What restores the originals (:func:`restore_originals`), made once
        for the key as it is (again after a pseudonym was added)."""
        made = getattr(self, "_restorer", None)
        if made is None or made[0] != len(self._entries):
            made = self._restorer = (len(self._entries), _Restorer(self.originals()))
        return made[1]

    def _check_one_to_one(self) -> None:
        """Every pseudonym stands for one original (the key's invariant)."""
        for (type, norm), p in self._by_norm.items():
            e = self._entries.get(p)
            if e is None or (e["type"], e["norm"]) != (type, norm):
                raise PseudonymError(f"the pseudonym {p!r} would stand for two originals; "
                                     "the key is not written", code="E800")

    def to_json(self) -> str:
        self._check_one_to_one()
        return json.dumps({"format": KEY_FORMAT, "pseudonym_format": self.format,
                           "entries": list(self._entries.values())},
                          ensure_ascii=False, indent=1) + "\n"

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the key with owner-only permissions (0600), atomically;
        returns its sha256."""
        data = self.to_json().encode("utf-8")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return hashlib.sha256(data).hexdigest()

    @classmethod
    def load(cls, path: str | os.PathLike[str], format: str | None = None) -> "PseudonymKey":
        """Read a key; E801 when the file is not one, E802 when it was written
        with another pseudonym format than ``format``."""
        if not Path(path).exists():
            raise PseudonymError("no such file; expected the key written by 'codingkit "
                                 "pseudonymize --key'", path=path, code="E801")
        raw = _read_bounded(path, "the key written by 'codingkit pseudonymize --key'",
                            "E801")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeError, ValueError, RecursionError) as err:
            raise PseudonymError(f"not a codingkit pseudonym key ({type(err).__name__}); "
                                 f"expected a JSON file written by 'codingkit pseudonymize "
                                 f"--key'", path=path, code="E801") from None
        if not isinstance(data, dict) or data.get("format") != KEY_FORMAT \
                or not isinstance(data.get("entries"), list) \
                or not isinstance(data.get("pseudonym_format"), str):
            raise PseudonymError(f"not a codingkit pseudonym key; expected a JSON object with "
                                 f"format {KEY_FORMAT!r}", path=path, code="E801")
        if format is not None and data["pseudonym_format"] != format:
            raise PseudonymError(f"the key was written for pseudonym format "
                                 f"{data['pseudonym_format']!r}, not {format!r}; use the same "
                                 "--pseudonym-format or another --key", path=path, code="E802")
        try:
            key = cls(data["pseudonym_format"])
        except PseudonymError as exc:
            raise PseudonymError(exc.message, path=path, code=exc.code) from None
        shortest = key.shortest()
        number = re.compile(re.escape(key.format).replace(r"\{type\}", ".*?")
                            .replace(r"\{n\}", r"(\d+)"))
        for i, e in enumerate(data["entries"]):
            if not (isinstance(e, dict) and all(isinstance(e.get(k), str) for k in
                                                ("pseudonym", "type", "original", "norm"))):
                raise PseudonymError(f"entry {i + 1} of the key is malformed; expected "
                                     "pseudonym, type, original and norm", path=path,
                                     code="E801")
            if e["pseudonym"] in key._entries:
                raise PseudonymError(f"entry {i + 1} of the key repeats the pseudonym "
                                     f"{e['pseudonym']!r}; expected one original per "
                                     "pseudonym", path=path, code="E801")
            if len(e["pseudonym"].strip()) < shortest:
                # "" or "e" would be restored between or in place of every letter
                raise PseudonymError(f"entry {i + 1} of the key has the pseudonym "
                                     f"{e['pseudonym'][:20]!r}, shorter than any of the format "
                                     f"{key.format!r} ({shortest} characters); expected a "
                                     "pseudonym codingkit wrote", path=path, code="E801")
            m = number.fullmatch(e["pseudonym"])
            if m and len(m.group(1)) > _MAX_DIGITS:
                raise PseudonymError(f"entry {i + 1} of the key has a pseudonym numbered with "
                                     f"{len(m.group(1)):,} digits; expected at most "
                                     f"{_MAX_DIGITS}", path=path, code="E801")
            key._by_norm[(e["type"], e["norm"])] = e["pseudonym"]
            key._entries[e["pseudonym"]] = dict(e)
            if m:
                key._count[e["type"]] = max(key._count.get(e["type"], 0), int(m.group(1)))
        return key


#: The most digits a pseudonym's number has in a key that is read (a
#: billion pseudonyms of one type is far beyond any project).
_MAX_DIGITS = 9


def _read_bounded(path, expected: str, code: str) -> bytes:
    """The bytes of ``path`` through :func:`~codingkit.readers.limits.read_limited`
    (a regular file within ``CODINGKIT_MAX_FILE_MB``/``_SURVEY_MB``, else E111
    or E112); a file that cannot be opened is ``code``."""
    from ..errors import InputError
    from ..readers.limits import read_limited

    try:
        return read_limited(path, expected=expected)
    except InputError as exc:
        if exc.code != "E101":
            raise
        raise PseudonymError(exc.message + f"; expected {expected}", path=path,
                             code=code) from None


def read_table(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a table to restore (``depseudonymize``): a regular file
    within its size limit (E111, E112); E805 when it cannot be opened."""
    return _read_bounded(path, "a CSV or text table", "E805")


def check_key_location(key_path: str | os.PathLike[str],
                       out_dir: str | os.PathLike[str]) -> None:
    """E804 when the key would be written inside the results folder, or
    inside another folder meant to be shared (:func:`shared_folder`:
    pseudonymised results or copies): the key holds the real names."""
    key = Path(key_path).resolve()
    out = Path(out_dir).resolve()
    if key == out or out in key.parents:
        raise PseudonymError(f"the key must not be inside the results folder {out_dir}; "
                             "give --key a path outside it", path=key_path, code="E804")
    found = shared_folder(key_path)
    if found is not None:
        folder, why = found
        raise PseudonymError(f"inside {folder}, a folder of {why}, which is meant to be "
                             "shared, and the key holds the real names; expected --key "
                             "outside it (e.g. in a private folder)", path=key_path,
                             code="E804")


#: A manifest.json larger than this is not read to tell whether its folder was
#: pseudonymised (codingkit's own are a few KiB per hundred inputs).
_MANIFEST_LIMIT = 64 * 2**20


def pseudonymized_results_folder(path: str | os.PathLike[str]) -> Path | None:
    """The folder of pseudonymised results (``apply --pseudonymize``: its
    manifest.json says ``"pseudonymized": true``) or of pseudonymised copies
    (``codingkit pseudonymize``: its marker ``.codingkit-pseudonymized.json``)
    that the file ``path`` would be written inside, at any depth; ``None``
    when there is none (see :func:`shared_folder`, which also knows copies
    written before the marker)."""
    found = shared_folder(path)
    return found[0] if found else None


#: How many of the copies a manifest.csv lists are read, and how much of
#: each, to tell whether they are pseudonymised (:func:`shared_folder`).
_COPIES_READ, _COPY_BYTES = 200, 4 * 2**20


def shared_folder(path: str | os.PathLike[str], key: "PseudonymKey | None" = None
                  ) -> tuple[Path, str] | None:
    """The folder meant to be shared that the file ``path`` would be written
    inside, at any depth, and why it is one; ``None`` when there is none:

    - results of ``apply --pseudonymize``: its manifest.json says
      ``"pseudonymized": true``;
    - copies of ``codingkit pseudonymize``: its marker
      (:data:`~codingkit.pseudonymize.output.MARKER`) is there;
    - with ``key``, copies ``codingkit pseudonymize`` wrote before it wrote
      the marker: a manifest.csv whose ``file`` column lists ``.txt``
      files only, where it or the copies it lists (those in the folder)
      hold a pseudonym of ``key``.

    A manifest.json or manifest.csv that cannot be read, or is not one of
    codingkit's, does not make its folder one (this only guards where
    restored text goes; reading a results folder checks its manifest itself).
    """
    from .output import MARKER

    target = Path(path).absolute()
    try:
        target = target.parent.resolve() / target.name
    except (OSError, RuntimeError):  # pragma: no cover - a link loop: judge the path as given
        pass
    for folder in target.parents:
        if results_pseudonymized(folder):
            return folder, "pseudonymised results (its manifest.json says so)"
        try:
            if (folder / MARKER).is_file():
                return folder, f"pseudonymised copies (its {MARKER} says so)"
        except OSError:  # pragma: no cover - a name the system cannot look up
            pass
        if key is not None and _holds_copies(folder, key):
            return folder, ("pseudonymised copies (its manifest.csv lists copies that hold "
                            "the key's pseudonyms)")
    return None


def results_pseudonymized(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` holds results of a pseudonymised run: its
    manifest.json (codingkit's: with codebook, counts and inputs) says
    ``options.pseudonymized`` true (``apply --pseudonymize``, or ``apply``
    of pseudonymised copies). A manifest that cannot be read says no."""
    manifest = Path(folder) / "manifest.json"
    try:
        if manifest.is_file() and manifest.stat().st_size <= _MANIFEST_LIMIT:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            options = data.get("options") if isinstance(data, dict) else None
            return (isinstance(options, dict) and options.get("pseudonymized") is True
                    and all(k in data for k in ("codebook", "counts", "inputs")))
    except (OSError, ValueError, RecursionError):
        pass
    return False


def _marked_folder(path: Path) -> Path | None:
    """The folder marked as one of pseudonymised copies
    (:data:`~codingkit.pseudonymize.output.MARKER`) that ``path`` is in, at
    any depth; ``None`` when there is none."""
    from .output import MARKER

    for folder in path.parents:
        try:
            if (folder / MARKER).is_file():
                return folder
        except OSError:  # pragma: no cover - a name the system cannot look up
            pass
    return None


def copies_folder(path: str | os.PathLike[str]) -> Path | None:
    """The folder of pseudonymised copies that the transcript file ``path``
    is one of: a ``.txt`` file (``codingkit pseudonymize`` writes no other)
    inside a folder its marker marks, at any depth, once links are followed
    (a link there to an original elsewhere is no copy); ``None`` otherwise
    (an original, or a copy written before the marker)."""
    p = Path(path)
    if p.suffix.lower() != ".txt":
        return None
    try:
        p = p.resolve()
    except (OSError, RuntimeError):  # pragma: no cover - a link loop
        return None
    return _marked_folder(p)


def inputs_are_copies(paths: Iterable[str | os.PathLike[str]]) -> bool:
    """Whether every file of ``paths`` (transcript files, at least one) is a
    pseudonymised copy (:func:`copies_folder`)."""
    paths = list(paths)
    return bool(paths) and all(copies_folder(p) is not None for p in paths)


#: How much of a copies folder's marker is read (codingkit's is 200 bytes).
_MARKER_BYTES = 2**16


def copies_options(paths: Sequence[str | os.PathLike[str]], *,
                   manifest: str | os.PathLike[str] | None = None) -> dict | None:
    """What ``apply`` records when it codes pseudonymised copies: ``None``
    when no file of ``paths`` is a copy (:func:`copies_folder`); when every
    one is, the options of a pseudonymised run (``pseudonymized`` true, so
    that manifest.json records no path; ``pseudonymized_copies`` true; the
    key's sha256 and the pseudonym format of the copies' markers, ``None``
    where the markers differ or cannot be read).

    Raises
    ------
    PseudonymError
        E807 when some of ``paths`` are copies and some are not, or a
        ``manifest`` (the metadata CSV of ``--manifest``) is outside every
        folder of copies: the results would hold original texts or names
        while saying they are pseudonymised.
    """
    from .output import MARKER

    folders: dict[Path, None] = {}
    originals = []
    for p in paths:
        folder = copies_folder(p)
        if folder is None:
            originals.append(p)
        else:
            folders[folder] = None
    if not folders:
        return None
    example = next(iter(folders))
    if originals:
        n = len(paths) - len(originals)
        raise PseudonymError(
            f"not a pseudonymised copy, while {n} other input{'s are' if n != 1 else ' is'} "
            f"(such as those in {example}); the results would hold its original text "
            "marked as pseudonymised; expected copies only or originals only (pseudonymise "
            "it first with 'codingkit pseudonymize' and the same key, code it in a run of "
            "its own, or add --pseudonymize --key KEY)", path=originals[0], code="E807")
    if manifest is not None:
        try:
            resolved = Path(manifest).resolve()
        except (OSError, RuntimeError):  # pragma: no cover - a link loop
            resolved = Path(manifest).absolute()
        if _marked_folder(resolved) is None:
            raise PseudonymError(
                f"a metadata file outside the folder of pseudonymised copies {example}, "
                "which may hold the originals' names (interviewer, respondent); expected "
                "the copies' own manifest.csv (read without --manifest) or a file inside "
                "their folder", path=manifest, code="E807")
    marks = []
    for folder in folders:
        text = _head(folder / MARKER, _MARKER_BYTES)
        try:
            data = json.loads(text) if text else None
        except (ValueError, RecursionError):
            data = None
        marks.append(data if isinstance(data, dict) else {})

    def agreed(name: str) -> str | None:
        values = {m.get(name) if isinstance(m.get(name), str) else None for m in marks}
        return values.pop() if len(values) == 1 else None

    sha = agreed("pseudonym_key_sha256")
    return {"pseudonymized": True, "pseudonymized_copies": True,
            "pseudonym_key_sha256": sha if sha and re.fullmatch(r"[0-9a-f]{64}", sha) else None,
            "pseudonym_format": agreed("pseudonym_format")}


def check_shared_output(out_path: str | os.PathLike[str], what: str, *,
                        option: str = "--out", instead: str = "",
                        is_folder: bool = False,
                        unless: Callable[[], bool] | None = None) -> None:
    """E808 when the file ``out_path`` (``is_folder``: the folder, itself
    one too) would be written inside a folder meant to be shared
    (:func:`shared_folder`: pseudonymised results or copies). Called only
    for what holds texts that are not pseudonymised (``what``: what it
    would hold), or with ``unless``: asked only when ``out_path`` is inside
    such a folder, true when the texts are pseudonymised after all (nothing
    raised). The message names ``option`` to give a place outside the
    folder, then ``instead`` (", or ...")."""
    found = shared_folder(Path(out_path) / "manifest.json" if is_folder else out_path)
    if found is not None and not (unless is not None and unless()):
        folder, why = found
        raise PseudonymError(
            f"inside {folder}, a folder of {why}, which is meant to be shared, and {what}; "
            f"expected {option} outside it (e.g. in a private folder){instead}",
            path=out_path, code="E808")


def texts_pseudonymized(transcripts: Iterable[Transcript],
                        options: dict | None = None) -> bool:
    """Whether the texts of ``transcripts`` (a coding result's, with its
    ``options``) are pseudonymised: ``options`` say so (``"pseudonymized":
    true``, as :func:`pseudonymize_for_apply` and a pseudonymised run's
    manifest.json do), or every transcript was read from a pseudonymised
    copy (:func:`inputs_are_copies`; a transcript read from no file is no
    copy). Looks at the transcripts' files only when ``options`` do not say
    so: call it only where it matters (inside a folder meant to be shared,
    :func:`check_shared_output`'s ``unless``)."""
    if isinstance(options, dict) and options.get("pseudonymized") is True:
        return True
    transcripts = list(transcripts)
    if not transcripts or any(not t.path for t in transcripts):
        return False
    return inputs_are_copies(dict.fromkeys(str(t.path) for t in transcripts))


def _head(path: Path, limit: int) -> str | None:
    """At most ``limit`` bytes of a regular file as text; ``None`` when it
    cannot be read (missing, a named pipe, ...)."""
    from ..errors import CodingkitError
    from ..readers.limits import open_regular

    try:
        with open_regular(path, "a text file") as fh:
            return fh.read(limit).decode("utf-8", errors="replace")
    except (CodingkitError, OSError):
        return None


def _holds_copies(folder: Path, key: PseudonymKey) -> bool:
    """Whether ``folder`` holds copies ``codingkit pseudonymize`` wrote with
    ``key`` (see :func:`shared_folder`)."""
    import csv
    import io

    try:
        if not (folder / "manifest.csv").is_file():
            return False
    except OSError:  # pragma: no cover
        return False
    text = _head(folder / "manifest.csv", _MANIFEST_LIMIT)
    if not text:
        return False
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    except csv.Error:
        return False
    if not rows or not rows[0] or rows[0][0].strip().casefold() != "file":
        return False
    files = [r[0] for r in rows[1:] if r and r[0]]
    if not files or not all(f.casefold().endswith(".txt") for f in files):
        return False  # pseudonymize writes .txt copies only
    if restore_originals(text, key)[1]:
        return True
    here = folder.resolve()
    for name in files[:_COPIES_READ]:
        copy = (folder / name)
        try:
            if here not in copy.resolve().parents:
                continue
        except (OSError, RuntimeError):
            continue
        body = _head(copy, _COPY_BYTES)
        if body and restore_originals(body, key)[1]:
            return True
    return False


def check_restored_location(out_path: str | os.PathLike[str],
                            key: "PseudonymKey | None" = None) -> None:
    """E806 when a restored (depseudonymised) table would be written inside a
    folder meant to be shared (:func:`shared_folder`; with ``key`` also
    copies written before their folder was marked): pseudonymised results or
    copies, which hold no real name, and ``apply --force`` keeps files it
    did not write."""
    found = shared_folder(out_path, key)
    if found is not None:
        folder, what = found
        raise PseudonymError(
            f"inside {folder}, a folder of {what}, which is meant to be shared, and the "
            "restored table holds the real names; expected --out outside it (e.g. in a "
            "private folder beside the key)", path=out_path, code="E806")


def read_name_list(path: str | os.PathLike[str]) -> list[tuple[str | None, str]]:
    """A ``--pseudonymize-list``/``--keep`` file: one term a line, ``#``
    comments; a line ``Typ: term`` gives the pseudonym type (Person, Namn,
    Adress, ...). E803 when it cannot be read."""
    raw = _read_bounded(path, "a text file with one name a line", "E803")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeError:
        raise PseudonymError("the list is not UTF-8 text; expected one name a line",
                             path=path, code="E803") from None
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        typ, sep, rest = line.partition(":")
        if sep and typ.strip() in TYPES and rest.strip():
            out.append((typ.strip(), rest.strip()))
        else:
            out.append((None, line))
    return out


# --------------------------------------------------------------------------
# patterns
# --------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_PNR_RE = re.compile(r"(?<![\w+-])(?:19|20)?\d{6}[-+ ]?\d{4}(?![\w-])")
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+46|0046)[ -]?(?:\(0\)[ -]?)?[1-9](?:[ -]?\d){6,9}(?!\d)"
    r"|(?<![\w+])0[1-9](?:[ -]?\d){6,9}(?!\d)")
_STREET = (r"[A-ZÅÄÖ][a-zåäöé]+(?:gatan|vägen|gränd|gränden|torget|torg|allén|backen|"
           r"stigen|leden|platsen|plan|gata|väg|stråket|kajen)")
_ADDRESS_RE = re.compile(
    rf"\b{_STREET}[ ]\d{{1,4}}(?:[a-z]\b|[ ]?[A-Z]\b)?(?:,?[ ]\d{{3}}[ ]?\d{{2}}[ ][A-ZÅÄÖ][a-zåäö]+)?")
_WORD_RE = re.compile(r"[A-ZÅÄÖÆØÉÈÜa-zåäöæøéèü][\w]*(?:-[A-ZÅÄÖa-zåäö][\w]*)*")
_GENITIVE = re.compile(r"(?:s|'s|’s|:s|'|’)$")


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _valid_pnr(s: str) -> str | None:
    """The normalised 12-digit personnummer/samordningsnummer, or None."""
    from personnummer import personnummer

    s = s.replace(" ", "-")  # the package reads "-" and "+" separators, not a space
    try:
        p = personnummer.Personnummer(s)
    except Exception:  # the package raises its own error types
        return None
    return p.format(True).replace("-", "").replace("+", "")


def _phone_norm(s: str) -> str | None:
    d = _digits(s)
    if s.startswith("+46"):
        d = "0" + d[2:]
    elif s.startswith("0046"):
        d = "0" + d[4:]
    d = d.replace("00", "0", 1) if d.startswith("00") else d
    if not (8 <= len(d) <= 11) or not d.startswith("0") or d[1] == "0":
        return None
    return d


def _is_upper(word: str) -> bool:
    return word[:1].isupper()


# --------------------------------------------------------------------------
# the pseudonymiser
# --------------------------------------------------------------------------


@dataclass
class _Person:
    norm: str
    original: str
    parts: tuple[str, ...]


@dataclass
class ScanReport:
    """What :meth:`Pseudonymizer.scan` found in one transcript."""

    source: str
    replaced: list[tuple[Span, str]] = field(default_factory=list)
    candidates: list[tuple[int, str]] = field(default_factory=list)
    #: the same of the source name (offsets into ``source``), and the name
    #: it gets (:meth:`Pseudonymizer.source_name`)
    source_replaced: list[tuple[Span, str]] = field(default_factory=list)
    source_candidates: list[tuple[int, str]] = field(default_factory=list)
    new_source: str | None = None


class Pseudonymizer:
    """Replaces personal data in transcripts by the pseudonyms of ``key``.

    Parameters
    ----------
    key:
        The :class:`PseudonymKey` (new or loaded); it grows as new persons
        and values are met.
    names:
        ``(type or None, term)`` pairs of a user's list (:func:`read_name_list`).
    keep:
        Terms never replaced (besides :data:`names.KEEP_DEFAULT` when
        ``keep_defaults``, and the transcripts' ``project`` metadata).
    unknown:
        What to do with other capitalised words in mid-sentence that are no
        word form of the lemma table: ``"list"`` them as candidates
        (:meth:`scan`), or ``"replace"`` them by ``[Namn n]``.
    """

    def __init__(self, key: PseudonymKey | None = None, *,
                 names: Iterable[tuple[str | None, str]] = (), keep: Iterable[str] = (),
                 keep_defaults: bool = True, unknown: str = "list") -> None:
        if unknown not in ("list", "replace"):
            raise ValueError(f"unknown={unknown!r}; expected 'list' or 'replace'")
        self.unknown = unknown
        self.key = key if key is not None else PseudonymKey()
        self.keep = set(keep) | (set(_names.KEEP_DEFAULT) if keep_defaults else set())
        self.listed: list[tuple[str, str]] = []
        self._persons: dict[str, _Person] = {}
        for typ, term in names:
            if typ is None:
                first = term.split()[0]
                last = term.split()[-1]
                typ = PERSON if (_is_first_name(first) or len(term.split()) >= 2
                                 and _names.SURNAME_RE.search(last.casefold())) else NAME
            if typ == PERSON:
                self._add_person(term)
            else:
                self.listed.append((typ, term))
        self._listed_type: dict[str, str] = {}
        for typ, term in self.listed:
            self._listed_type.setdefault(term, typ)  # the first type given wins
        self._listed_re = _longest_first_re(self._listed_type)
        self._keep_re = None
        self._common: dict[str, bool] = {}

    # -- persons -----------------------------------------------------------
    def _add_person(self, name: str) -> _Person | None:
        name = " ".join(name.split())
        if not name or is_role_label(name):
            return None
        norm = name.casefold()
        p = self._persons.get(norm)
        if p is None:
            p = _Person(norm, name, tuple(w for w in name.split() if _is_upper(w)))
            self._persons[norm] = p
        return p

    def _person_index(self) -> dict[str, _Person]:
        """Word or full name (casefolded) → person: full names first; a
        first name or surname points to the person only when unambiguous."""
        index: dict[str, _Person] = {}
        parts: dict[str, list[_Person]] = {}
        for p in self._persons.values():
            index[p.norm] = p
            for w in p.parts:
                parts.setdefault(w.casefold(), []).append(p)
        for w, ps in parts.items():
            full = [p for p in ps if len(p.parts) > 1]
            if w in index and len(index[w].parts) > 1:
                continue
            if len(ps) == 1:
                index[w] = ps[0]
            elif len(full) == 1:
                # "Lars" (a speaker label in one file) is the only "Lars …" of the run
                index[w] = full[0]
        return index

    def learn(self, transcripts: Sequence[Transcript]) -> None:
        """Register the speakers and person fields of ``transcripts``."""
        for t in transcripts:
            for s in t.speakers:
                self._add_person(s)
            for k, v in t.metadata.items():
                if k.casefold() in PERSON_FIELDS and v:
                    for part in re.split(r"\s*(?:,|;| och | & )\s*", v):
                        self._add_person(part)

    # -- finding -----------------------------------------------------------
    def _is_common_word(self, word: str) -> bool:
        return word in _names.WORD_NAMES

    def _protected(self, text: str, extra_keep: Iterable[str]) -> list[tuple[int, int]]:
        terms = sorted(self.keep | set(extra_keep), key=len, reverse=True)
        terms = [t for t in terms if t.strip()]
        if not terms:
            return []
        rx = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in terms) +
                        r")(?:s|:s|'s|’s)?(?!\w)")
        return [(m.start(), m.end()) for m in rx.finditer(text)]

    def find(self, text: str, *, keep: Iterable[str] = (),
             candidates: list[tuple[int, str]] | None = None,
             file_name: bool = False) -> list[Span]:
        """The spans of ``text`` to replace, in order, not overlapping.
        Unreplaced capitalised words that look like names are appended to
        ``candidates`` as ``(offset, word)``.

        ``file_name``: ``text`` holds the words of a file or folder name
        (:meth:`find_in_source` makes it): no word is at the start of a
        sentence, and only personnummer are looked for among the numbers
        and addresses (a date and a time read as a phone number)."""
        spans: list[Span] = []
        taken = [False] * (len(text) + 1)

        def free(s, e):
            return not any(taken[s:e])

        def take(span):
            spans.append(span)
            for i in range(span.start, span.end):
                taken[i] = True

        for m in () if file_name else _EMAIL_RE.finditer(text):
            take(Span(m.start(), m.end(), EMAIL, m.group(), m.group().casefold()))
        for m in _PNR_RE.finditer(text):
            if free(m.start(), m.end()):
                norm = _valid_pnr(m.group())
                if norm:
                    take(Span(m.start(), m.end(), PNR, m.group(), norm))
        for m in () if file_name else _PHONE_RE.finditer(text):
            if free(m.start(), m.end()):
                norm = _phone_norm(m.group())
                if norm:
                    take(Span(m.start(), m.end(), PHONE, m.group(), norm))
        for m in () if file_name else _ADDRESS_RE.finditer(text):
            if free(m.start(), m.end()):
                take(Span(m.start(), m.end(), ADDRESS, m.group(), m.group().casefold()))
        # listed names, the longest first where one starts another ("Solbacka
        # Teknik AB" before "Solbacka"), with one pattern compiled once
        if self._listed_re is not None:
            for m in self._listed_re.finditer(text):
                if free(m.start(), m.end()):
                    term = m.group(1)
                    take(Span(m.start(), m.end() - len(m.group(2) or ""),
                              self._listed_type[term], term, term.casefold(),
                              m.group(2) or ""))
        # known persons' full names first: "Eva Lund" is a person even though
        # "Lund" alone is a kept place
        for person in sorted(self._persons.values(), key=lambda p: -len(p.original)):
            if " " not in person.original:
                continue
            rx = rf"(?<!\w){re.escape(person.original)}(s|:s|'s|’s)?(?!\w)"
            for m in re.finditer(rx, text):
                if free(m.start(), m.end()):
                    suf = m.group(1) or ""
                    take(Span(m.start(), m.end() - len(suf), PERSON, person.original,
                              person.norm, suf))
        protected = self._protected(text, keep)
        for s, e in protected:
            for i in range(s, e):
                taken[i] = True
        self._find_names(text, take, free, candidates, file_name)
        spans.sort(key=lambda s: s.start)
        return spans

    def _find_names(self, text, take, free, candidates, file_name=False) -> None:
        index = self._person_index()
        words = [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text)]
        i = 0
        n = len(words)
        while i < n:
            s, e, w = words[i]
            head = w.split("-")[0]
            if not _is_upper(w) or not free(s, e) or (head.isupper() and len(head) > 1):
                i += 1
                continue
            initial = not file_name and _sentence_initial(text, s)
            # a run of capitalised words separated by single spaces
            j = i + 1
            while j < n and j - i < 4 and words[j][0] == words[j - 1][1] + 1 \
                    and text[words[j - 1][1]] == " " and _is_upper(words[j][2]) \
                    and free(words[j][0], words[j][1]) and not words[j][2].isupper():
                j += 1
            run = words[i:j]
            # longest known full name in the run
            done = False
            for k in range(len(run), 1, -1):
                full = " ".join(x[2] for x in run[:k])
                base, suf = _strip_genitive(full, lambda b: b.casefold() in index)
                if base is not None and index[base.casefold()].norm == base.casefold():
                    p = index[base.casefold()]
                    take(Span(run[0][0], run[k - 1][1] - len(suf), PERSON, p.original,
                              p.norm, suf))
                    i += k
                    done = True
                    break
            if done:
                continue
            base, suf = _strip_genitive(w, lambda b: b.casefold() in index)
            if base is not None and not (initial and self._is_common_word(base)
                                         and len(run) == 1):
                p = index[base.casefold()]
                take(Span(s, e - len(suf), PERSON, p.original, p.norm, suf))
                i += 1
                continue
            base, suf = _strip_genitive(w, _is_first_name)
            nxt = run[1] if len(run) > 1 else None
            if base is None and nxt is not None and (not initial or not _common_word(w)) \
                    and self._surname_like(nxt[2]):
                base, suf = w, ""  # an unknown first name before a surname: "Lina Berglund"
            if base is not None:
                if nxt is not None and self._surname_like(nxt[2], after_first=True):
                    sb, ssuf = _strip_genitive(nxt[2], lambda b: True)
                    full = f"{base} {sb}"
                    p = self._add_person(full)
                    if p is not None:
                        index = self._person_index()
                        take(Span(s, nxt[1] - len(ssuf), PERSON, p.original, p.norm, ssuf))
                        i += 2
                        continue
                if not (initial and self._is_common_word(base)):
                    p = self._add_person(base)
                    if p is not None:
                        index = self._person_index()
                        take(Span(s, e - len(suf), PERSON, p.original, p.norm, suf))
                        i += 1
                        continue
            if is_role_label(w):
                # "Person 2", "Intervjuperson" mid-sentence: a role, not a name
                i += 1
                continue
            if not initial and w not in self.keep:
                sb, ssuf = _strip_genitive(w, lambda b: bool(_names.SURNAME_RE.search(b)))
                if sb is not None and len(sb) >= 4 and self._surname_like(sb):
                    p = self._add_person(sb)
                    if p is not None:
                        index = self._person_index()
                        take(Span(s, e - len(ssuf), PERSON, p.original, p.norm, ssuf))
                        i += 1
                        continue
                if len(w) > 1 and not _common_word(w):
                    if self.unknown == "replace":
                        take(Span(s, e, NAME, w, w.casefold()))
                    elif candidates is not None:
                        candidates.append((s, w))
            elif initial and len(w) >= 6 and w.endswith("sson") and w not in self.keep \
                    and not _common_word(w):
                p = self._add_person(w)  # "Nilsson tyckte ..."
                if p is not None:
                    index = self._person_index()
                    take(Span(s, e, PERSON, p.original, p.norm))
            i += 1

    def _surname_like(self, word: str, after_first: bool = False) -> bool:
        base, _ = _strip_genitive(word, lambda b: True)
        if base is None or not _is_upper(base) or base.isupper():
            return False
        if after_first:
            return not is_role_label(base)
        if base in self.keep:
            return False
        return len(base) >= 4 and bool(_names.SURNAME_RE.search(base.casefold()))

    # -- file and folder names ----------------------------------------------
    def find_in_source(self, source: str, *, survey: bool = False, keep: Iterable[str] = (),
                       candidates: list[tuple[int, str]] | None = None) -> list[Span]:
        """The spans of a transcript's source name (``"syd/Intervju Anna
        Svensson.docx"``: folders, file name) to replace, with offsets into
        ``source``, found as in running text (:meth:`find`) among the words
        of each folder's and the file's name.

        The words of a name are the runs of letters and of digits between
        the separators (``_``, ``-``, ``.``, spaces, any other character)
        and where a small letter meets a capital (``AnnaSvensson``); the
        file's suffix (``.docx``, ``.txt``, ...) is not read, and with
        ``survey`` a survey answer's id after ``#`` is read as a name of its
        own. A file name is no sentence and is often written in small letters,
        so a word counts as a name by what it is, not by its place: a
        speaker's or other known person's name or a term of the user's list
        (in any case), a first name of :data:`names.FIRST_NAMES` (in small
        letters only when it is no Swedish word: ``anna`` but not ``hans``,
        unless next to a surname), and next to such a name a word of a
        surname shape (``anna_lindqvist``, ``svensson_anna``, ``Karin Ek``);
        a capitalised word that is no Swedish word is a name as in
        mid-sentence (surname shape: ``Ekström``; else a candidate), and a
        capitalised Swedish word (``Intervju``, ``Utveckling``) only right
        after a first name. A surname before a first name
        (``Svensson_Anna``) is the person ``Anna Svensson``; a person's name
        split by separators is one span. Of the numbers, personnummer only.
        Unreplaced candidate words are appended to ``candidates`` as
        ``(offset, word)``.
        """
        head, tail = _split_survey(source) if survey else (source, None)
        folders = head.split("/")
        stem, _ = _split_suffix(folders[-1])
        parts, pos = [], 0
        for i, part in enumerate(folders):
            parts.append((pos, stem if i == len(folders) - 1 else part))
            pos += len(part) + 1
        if tail is not None:
            parts.append((len(head) + 1, tail))
        spans: list[Span] = []
        for offset, part in parts:
            found: list[tuple[int, str]] | None = None if candidates is None else []
            for sp in self._find_in_name(part, keep, found):
                spans.append(replace(sp, start=sp.start + offset, end=sp.end + offset))
            if candidates is not None:
                candidates.extend((offset + o, w) for o, w in found)
        return spans

    def source_name(self, source: str, *, survey: bool = False,
                    keep: Iterable[str] = ()) -> str:
        """``source`` with the names in its folders and file name replaced
        by the key's pseudonyms (:meth:`find_in_source`).

        >>> p = Pseudonymizer()
        >>> p.source_name("Intervju Anna Svensson.docx"), p.source_name("syd/anna_svensson_omg2.txt")
        ('Intervju [Person 1].docx', 'syd/[Person 1]_omg2.txt')
        """
        return _apply(source, self.find_in_source(source, survey=survey, keep=keep),
                      self.pseudonym)[0]

    def _find_in_name(self, part: str, keep: Iterable[str],
                      candidates: list[tuple[int, str]] | None) -> list[Span]:
        """The spans of one folder's or file's name (without suffix)."""
        tokens = _name_tokens(part, self._name_words())
        if not tokens:
            return []
        shown = self._name_display(part, tokens)
        # the words as a text find() reads: names capitalised, other words in
        # small letters, one space between words; where[i]: text[i]'s offset in part
        chars: list[str] = []
        where: list[int] = []
        for k, ((s, e), word) in enumerate(zip(tokens, shown)):
            if k:
                before_end = tokens[k - 1][1]
                sep = part[before_end:s]
                a, b = shown[k - 1], word
                if (sep in ("-", "+") and a.isdigit() and b.isdigit()) or (
                        sep == "-" and _is_upper(a) and _is_upper(b)
                        and _is_first_name(f"{a}-{b}")):
                    chars.append(sep)  # 800101-1234, Per-Olof
                    where.append(before_end)
                else:
                    chars.append(" ")
                    where.append(-1)
            chars.append(word)
            where.extend(range(s, e))
        text = "".join(chars)
        found_candidates: list[tuple[int, str]] = []
        found = self.find(text, keep=keep, candidates=found_candidates, file_name=True)
        spans = []
        for sp in found:
            start, end = where[sp.start], where[sp.end - 1] + 1
            tail = where[sp.end + len(sp.suffix) - 1] + 1 if sp.suffix else end
            original = part[start:end] if sp.type == PNR else sp.original
            spans.append(Span(start, end, sp.type, original, sp.norm, part[end:tail]))
        spans = self._join_name_spans(part, tokens, shown, spans, keep)
        if candidates is not None:
            taken = [(s.start, s.end + len(s.suffix)) for s in spans]
            for off, w in found_candidates:
                o = where[off]
                if not any(a <= o < b for a, b in taken):
                    candidates.append((o, part[o:o + len(w)]))
        return spans

    def _join_name_spans(self, part: str, tokens, shown, spans: list[Span],
                         keep: Iterable[str]) -> list[Span]:
        """One span for a person's name split by separators (two spans of one
        person side by side: ``svensson_anna`` of the speaker Anna Svensson),
        and the person ``Anna Svensson`` for a surname before a first name
        (``Svensson_Anna``, ``Ek Karin``)."""
        def apart(a: int, b: int) -> bool:  # only separators between
            return a <= b and not any(c.isalnum() for c in part[a:b])

        out: list[Span] = []
        for sp in spans:
            prev = out[-1] if out else None
            if prev is not None and prev.type == sp.type == PERSON and not prev.suffix \
                    and apart(prev.end, sp.start):
                if prev.norm == sp.norm:
                    out[-1] = replace(prev, end=sp.end, suffix=sp.suffix)
                    continue
                if " " not in prev.norm and " " not in sp.norm \
                        and _is_first_name(sp.original) and not _is_first_name(prev.original):
                    joined = self._add_person(f"{sp.original} {prev.original}")
                    if joined is not None:
                        out[-1] = Span(prev.start, sp.end, PERSON, joined.original, joined.norm,
                                       sp.suffix)
                        continue
            if sp.type == PERSON and " " not in sp.norm and _is_first_name(sp.original):
                # an unreplaced surname right before: "Ek Karin" (Ek is too short
                # for a surname alone, and a kept word is no surname here)
                before = [(s, e) for (s, e), w in zip(tokens, shown)
                          if e <= sp.start and _is_upper(w)]
                kept = set(keep) | self.keep
                if before and apart(before[-1][1], sp.start) \
                        and (prev is None or prev.end <= before[-1][0]):
                    s, e = before[-1]
                    word = shown[tokens.index((s, e))]
                    if word not in kept and _names.SURNAME_RE.search(word.casefold()):
                        joined = self._add_person(f"{sp.original} {word}")
                        if joined is not None:
                            out.append(Span(s, sp.end, PERSON, joined.original, joined.norm,
                                            sp.suffix))
                            continue
            out.append(sp)
        return out

    def _name_words(self) -> dict[str, str]:
        """Known words (casefolded → as written): the persons' names and the
        user's list's terms, each word and each whole name or term (its
        words joined by spaces)."""
        size = (len(self._persons), len(self._listed_type))
        made = getattr(self, "_known_words", None)
        if made is not None and made[0] == size:  # persons are only ever added
            return made[1]
        words: dict[str, str] = {}
        for p in self._persons.values():
            for w in p.parts:
                words.setdefault(w.casefold(), w)
            if len(p.parts) > 1:
                words.setdefault(" ".join(p.parts).casefold(), " ".join(p.parts))
        for term in self._listed_type:
            parts = term.split()
            for w in parts:
                words.setdefault(w.casefold(), w)
            if len(parts) > 1:
                words.setdefault(" ".join(parts).casefold(), " ".join(parts))
        self._known_words = (size, words)
        return words

    def _name_display(self, part: str, tokens: list[tuple[int, int]]) -> list[str]:
        """Each word of a name as :meth:`_find_in_name` gives it to
        :meth:`find`: capitalised when it may be a name (see
        :meth:`find_in_source`), in small letters when not."""
        known = self._name_words()
        words = [part[s:e] for s, e in tokens]
        n = len(words)
        letters = [w[:1].isalpha() for w in words]
        # a capital and small letters; ANNA and anna carry no sign of a name
        cased = [lt and _is_upper(w) and not (len(w) > 1 and w.isupper())
                 for w, lt in zip(words, letters)]
        capital = [w if c or not lt else _same_length(w[:1].upper() + w[1:].lower(), w)
                   for w, c, lt in zip(words, cased, letters)]
        form = [_same_length(known.get(w.casefold(), ""), w) or cap
                for w, cap in zip(words, capital)]
        ordinary = [lt and _ordinary_word(w) for w, lt in zip(words, letters)]
        first = [lt and _is_first_name(f) for f, lt in zip(form, letters)]
        shaped = [lt and bool(_names.SURNAME_RE.search(w.casefold()))
                  for w, lt in zip(words, letters)]
        # a word with a number right after it is a label (Omg2, Int3), not a name
        label = [lt and k + 1 < n and tokens[k + 1][0] == tokens[k][1]
                 and words[k + 1].isdigit() for k, lt in enumerate(letters)]
        anchor = [(first[k] or words[k].casefold() in known) and (cased[k] or not ordinary[k])
                  for k in range(n)]
        # a known full name or listed term, however written: each of its words
        for k in range(n):
            for size in range(min(4, n - k), 1, -1):
                whole = " ".join(words[k:k + size]).casefold()
                if whole in known and all(letters[k:k + size]):
                    for j, w in enumerate(known[whole].split()):
                        anchor[k + j] = True
                        form[k + j] = _same_length(w, words[k + j]) or form[k + j]
                    break

        def near(k: int, test) -> bool:
            return (k > 0 and test(k - 1)) or (k + 1 < n and test(k + 1))

        for k in range(n):
            # hans, per, eva, lena: first names that are Swedish words, next to a name
            if first[k] and not anchor[k] and near(k, lambda j: anchor[j] or shaped[j]):
                anchor[k] = True
        show = list(anchor)
        for k in range(n):
            if show[k] or not letters[k]:
                continue
            if cased[k]:
                show[k] = (not ordinary[k] and not (label[k] and not shaped[k])
                           or (k > 0 and anchor[k - 1])
                           or (shaped[k] and k + 1 < n and anchor[k + 1]))
            else:
                show[k] = shaped[k] and near(k, lambda j: anchor[j])
        return [form[k] if show[k] else
                (_same_length(words[k].lower(), words[k]) or "x" * len(words[k])
                 if letters[k] else words[k]) for k in range(n)]

    # -- applying ----------------------------------------------------------
    def pseudonym(self, span: Span) -> str:
        return self.key.pseudonym(span.type, span.norm, span.original) + span.suffix

    def replace_text(self, text: str, *, keep: Iterable[str] = ()) -> str:
        """``text`` with its personal data replaced."""
        return _apply(text, self.find(text, keep=keep), self.pseudonym)[0]

    def _label(self, label: str | None, keep) -> str | None:
        if label is None or is_role_label(label):
            return label
        p = self._person_index().get(" ".join(label.split()).casefold())
        if p is not None:
            return self.key.pseudonym(PERSON, p.norm, p.original)
        return self.replace_text(label, keep=keep)

    def transcript(self, t: Transcript, *, source: str | None = None) -> Transcript:
        """A new transcript with source name, text, turn offsets, speakers and
        metadata pseudonymised (``new.text[turn.start:turn.end]`` is each
        turn's new text; the source's names as :meth:`source_name` replaces
        them, or ``source`` when given)."""
        keep = _project_names([t])
        if source is None:
            source = self._source_name(t, keep)
        spans = self.find(t.text, keep=keep)
        new_text, starts, shifts = _apply(t.text, spans, self.pseudonym)

        def moved(pos: int) -> int:
            k = bisect.bisect_right(starts, pos - 1)  # spans starting before pos
            return pos + (shifts[k - 1] if k else 0)

        turns = [replace(turn, start=moved(turn.start), end=moved(turn.end),
                         speaker=self._label(turn.speaker, keep)) for turn in t.turns]
        meta = {}
        for k, v in t.metadata.items():
            if k.casefold() in PLAIN_FIELDS or not v:
                meta[k] = v
            elif k.casefold() in PERSON_FIELDS:
                meta[k] = self._label(v, keep)
            else:
                meta[k] = self.replace_text(v, keep=keep)
        return replace(t, source=source, text=new_text, turns=turns, metadata=meta)

    def _source_name(self, t: Transcript, keep) -> str:
        return self.source_name(t.source, survey=t.format == "survey", keep=keep)

    def source_names(self, transcripts: Sequence[Transcript], *,
                     unique: bool = True) -> list[str]:
        """The pseudonymised source names of a run's transcripts
        (:meth:`source_name`); the persons of every name are found before
        any pseudonym is given (``anna.txt`` and ``anna_svensson.txt``:
        both the person Anna Svensson).

        Raises
        ------
        PseudonymError
            E809 when two transcripts would get one name (unless not ``unique``).
        """
        keep = [_project_names([t]) for t in transcripts]
        for t, k in zip(transcripts, keep):
            self.find_in_source(t.source, survey=t.format == "survey", keep=k)
        names = [self._source_name(t, k) for t, k in zip(transcripts, keep)]
        seen: dict[str, str] = {}
        for t, name in zip(transcripts, names if unique else ()):
            other = seen.setdefault(name, t.source)
            if other != t.source:
                raise PseudonymError(
                    f"{other!r} and {t.source!r} would both be named {name!r} once "
                    "pseudonymised, and the results could not tell them apart; expected "
                    "a name of its own for each (rename one of the files, e.g. add its "
                    "round or a number)", path=t.path or t.source, code="E809")
        return names

    def transcripts(self, transcripts: Sequence[Transcript]) -> list[Transcript]:
        """Pseudonymise a run's transcripts (speakers of all of them are
        learned first, then the names in their source names, so a name is
        the same person in every file and file name).

        Raises
        ------
        PseudonymError
            E809 when two transcripts would get one source name.
        """
        self.learn(transcripts)
        names = self.source_names(transcripts)
        return [self.transcript(t, source=n) for t, n in zip(transcripts, names)]

    __call__ = transcripts

    def scan(self, transcripts: Sequence[Transcript]) -> list[ScanReport]:
        """Per transcript: what would be replaced (span, pseudonym) and the
        candidates (capitalised words mid-sentence, neither kept nor
        replaced), in its text and in its source name (its folders' and
        file's names: ``source_replaced``, ``source_candidates`` and the
        name it would get, ``new_source``)."""
        self.learn(transcripts)
        names = self.source_names(transcripts, unique=False)
        out = []
        for t, name in zip(transcripts, names):
            keep = _project_names([t])
            rep = ScanReport(t.source, new_source=name)
            spans = self.find_in_source(t.source, survey=t.format == "survey", keep=keep,
                                        candidates=rep.source_candidates)
            rep.source_replaced = [(s, self.pseudonym(s)) for s in spans]
            cands: list[tuple[int, str]] = []
            spans = self.find(t.text, keep=keep, candidates=cands)
            rep.replaced = [(s, self.pseudonym(s)) for s in spans]
            rep.candidates = cands
            out.append(rep)
        return out


def _longest_first_re(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for whole-word ``terms`` (group 1) with an optional
    genitive ending (group 2); where one term starts another the longer
    matches. The alternatives are grouped by their first character, so a
    list of thousands of names is searched in one pass."""
    groups: dict[str, list[str]] = {}
    for term in sorted(set(t for t in terms if t), key=lambda t: (-len(t), t)):
        groups.setdefault(term[0], []).append(term)
    if not groups:
        return None
    alternatives = "|".join(
        re.escape(first) + "(?:" + "|".join(re.escape(t[1:]) for t in group) + ")"
        for first, group in groups.items())
    return re.compile(rf"(?<!\w)((?:{alternatives}))(s|:s|'s|’s)?(?!\w)")


def _project_names(transcripts: Iterable[Transcript]) -> set[str]:
    return {t.metadata["project"] for t in transcripts if t.metadata.get("project")}


def _strip_genitive(word: str, known) -> tuple[str | None, str]:
    """``(base, suffix)`` when ``word`` or ``word`` without a genitive
    ending is ``known``; ``(None, "")`` otherwise."""
    if known(word):
        return word, ""
    m = _GENITIVE.search(word)
    if m and m.start() > 0 and known(word[:m.start()]):
        return word[:m.start()], word[m.start():]
    return None, ""


def _is_first_name(word: str) -> bool:
    """A first name of the list, or a double name of two ("Per-Olof")."""
    return word in _names.FIRST_NAMES or ("-" in word and all(
        part in _names.FIRST_NAMES for part in word.split("-")))


#: Function words the lemma table lacks (never candidates).
_FUNCTION_WORDS = frozenset(
    "och om men eller att som så då när där här hur vad vem vi jag du ni de dom han hon "
    "den det detta dessa man en ett i på av för med till från ja nej nu sen sedan också "
    "inte bara eftersom medan fast alltså ju väl mm eh okej tack hej".split())


def _common_word(word: str) -> bool:
    """A function word, or a lower-case word form of the lemma table (the
    table's lemmas include proper names such as "Sixten", so they do not count)."""
    from ..swedish import _lemma_table

    lower = word.lower()
    return lower in _FUNCTION_WORDS or lower in _lemma_table()


#: Endings of inflected forms (Swedish nouns, verbs, adjectives), to tell a
#: Swedish word in its base form from a name (:func:`_ordinary_word`).
_INFLECTIONS = ("", "s", "n", "t", "a", "e", "en", "et", "ar", "er", "or", "na", "de", "te")


@functools.lru_cache(maxsize=4096)
def _ordinary_word(word: str) -> bool:
    """A Swedish word that is no name (``Intervju``, ``utveckling``, ``möte``,
    ``ek``), in any case: a function word or a word form of the lemma table, or
    the base form of such forms in small letters (the table writes the lemma
    of a name with its capital: ``Svenssons`` → ``Svensson``, so ``svensson``,
    ``anna`` and ``karin`` are none)."""
    from ..swedish import _lemma_table

    lower = word.lower()
    if _common_word(word):
        return True
    found = _lemma_table().get_many([lower + end for end in _INFLECTIONS if lower + end])
    return any(lemma == lower for lemma in found.values())


#: The words of a file or folder name: runs of letters, runs of digits.
_NAME_TOKEN_RE = re.compile(r"[^\W\d_]+|\d+")


def _name_tokens(part: str, known: dict[str, str]) -> list[tuple[int, int]]:
    """The words of a file or folder name (see :meth:`Pseudonymizer.find_in_source`)
    as ``(start, end)``: runs of letters and of digits, a run of letters split
    where a small letter meets a capital (``AnnaSvensson``) unless it is a
    known word as it stands (``McDonald``)."""
    out = []
    for m in _NAME_TOKEN_RE.finditer(part):
        word, start = m.group(), m.start()
        if word[:1].isalpha() and word.casefold() not in known:
            cuts = [i for i in range(1, len(word))
                    if word[i - 1].islower() and word[i].isupper()]
            for a, b in zip([0, *cuts], [*cuts, len(word)]):
                out.append((start + a, start + b))
        else:
            out.append((start, m.end()))
    return out


def _same_length(candidate: str, word: str) -> str:
    """``candidate`` when it is as long as ``word`` (a change of case can
    change the length: ``ß`` → ``SS``), else ``""``."""
    return candidate if len(candidate) == len(word) else ""


def _split_suffix(name: str) -> tuple[str, str]:
    """``("Intervju Anna", ".docx")``: a file name without the suffix of a
    transcript format (other dots belong to the name)."""
    from ..readers import SUFFIXES

    dot = name.rfind(".")
    if dot > 0 and name[dot:].lower() in SUFFIXES:
        return name[:dot], name[dot:]
    return name, ""


def _split_survey(source: str) -> tuple[str, str | None]:
    """A survey answer's source (``"enkät.csv#12"``) as the file's source and
    the answer's id; ``(source, None)`` when it is no such source."""
    m = re.match(r"(.*?\.(?:csv|xlsx))#(.*)\Z", source, re.IGNORECASE | re.DOTALL)
    return (m.group(1), m.group(2)) if m else (source, None)


def _sentence_initial(text: str, pos: int) -> bool:
    k = pos - 1
    while k >= 0 and text[k] in " \t\"'”“«»*([-–—":
        k -= 1
    return k < 0 or text[k] in ".!?:…\n>"


def _apply(text: str, spans: list[Span], pseudonym) -> tuple[str, list[int], list[int]]:
    """Replace ``spans``; returns the new text, the spans' starts and the
    cumulative shift after each span."""
    parts, starts, shifts = [], [], []
    last = 0
    shift = 0
    for s in spans:
        parts.append(text[last:s.start])
        rep = pseudonym(s)
        parts.append(rep)  # the pseudonym and the kept genitive ending
        shift += len(rep) - (s.end + len(s.suffix) - s.start)
        last = s.end + len(s.suffix)
        starts.append(s.start)
        shifts.append(shift)
    parts.append(text[last:])
    return "".join(parts), starts, shifts


def is_role_label(label: str) -> bool:
    """Whether a speaker label or header value names a role, not a person
    ("I", "IP1", "Intervjuare", "Talare 2", "Respondent").

    >>> is_role_label("IP1"), is_role_label("Talare 2"), is_role_label("Karin Ek")
    (True, True, False)
    """
    base = re.sub(r"[\s\d.]+$", "", label.strip()).casefold()
    return base in _names.ROLE_WORDS or not base or len(base) <= 2 and label.isupper()


def depseudonymize_text(text: str, key: PseudonymKey) -> str:
    """``text`` with every pseudonym of ``key`` replaced by its original."""
    return restore_originals(text, key)[0]


def restore_originals(text: str, key: PseudonymKey) -> tuple[str, int]:
    """``text`` with every pseudonym of ``key`` replaced by its original, and
    how many replacements were made: each pseudonym where it occurs (at a
    place where several start, the longest), then the speaker labels of
    pseudonymised copies, written without brackets (``Person 1:`` at a
    line's start). The key's :class:`_Restorer` is made once, so a table
    restored cell by cell costs a look-up per cell, not the key's size."""
    return key.restorer().restore(text)


class _Restorer:
    """Replaces the pseudonyms of a key by their originals: what a regular
    expression of every pseudonym, longest first, did (the leftmost
    occurrence, the longest pseudonym starting there), without one.

    Such an expression cost its building per cell and a try of every
    alternative at each place: with 300,000 pseudonyms about 2 s a cell
    (``benchmarks/depseudonymize_speed.py``). Here the places where a
    pseudonym may start are found by their first character (one character
    class: ``[`` for the default format), and at each place the text of
    each length the key's pseudonyms have is looked up, longest first.
    """

    def __init__(self, originals: dict[str, str]) -> None:
        self.originals = originals
        self.lengths = sorted({len(p) for p in originals}, reverse=True)
        self.starts = _first_characters(originals)
        # speaker labels of pseudonymised copies are written without brackets ("Person 1:")
        self.labels = {p.strip("[]"): o for p, o in originals.items() if p.strip("[]") != p}
        self.label_lengths = sorted({len(p) for p in self.labels}, reverse=True)
        self.line_starts = (re.compile(r"(?m)^") if "" in self.labels else
                            re.compile(r"(?m)^" + _first_characters(self.labels).pattern)
                            if self.labels else None)

    def restore(self, text: str) -> tuple[str, int]:
        """``text`` restored, and how many pseudonyms were."""
        n = 0
        if self.starts is not None:
            text, n = self._replace(text, self.starts, self.lengths, self.originals)
        if self.line_starts is not None:
            text, m = self._replace(text, self.line_starts, self.label_lengths, self.labels,
                                    before=":")
            n += m
        return text, n

    @staticmethod
    def _replace(text: str, starts: re.Pattern[str], lengths: list[int],
                 table: dict[str, str], before: str | None = None) -> tuple[str, int]:
        """Each leftmost-longest key of ``table`` at a place ``starts`` finds
        (``before``: only where that character follows it) replaced by its value."""
        parts: list[str] = []
        done = pos = n = 0
        end = len(text)
        while pos <= end:
            m = starts.search(text, pos)
            if m is None:
                break
            at = m.start()
            for length in lengths:
                piece = text[at:at + length]
                if len(piece) == length and piece in table and (
                        before is None or text.startswith(before, at + length)):
                    parts += (text[done:at], table[piece])
                    done = pos = at + length
                    n += 1
                    break
            else:
                pos = at + 1
                continue
            if length == 0:  # an empty label: never twice at one place
                pos = at + 1
        if not n:
            return text, 0
        parts.append(text[done:])
        return "".join(parts), n


def _first_characters(strings) -> re.Pattern[str] | None:
    """A character class of the first characters of ``strings`` (the empty
    string has none); ``None`` when there are none."""
    firsts = sorted({s[0] for s in strings if s})
    if not firsts:
        return None
    return re.compile("[" + "".join(re.escape(c) for c in firsts) + "]")


def restore_originals_csv(text: str, key: PseudonymKey, *, delimiter: str | None = None,
                          quoted: bool = True) -> tuple[str, int]:
    """A CSV table with every pseudonym of ``key`` replaced by its original
    cell by cell, and how many replacements were made.

    Only the rows where something was restored are written anew (with the
    table's delimiter and the row's own line ending); every other row, and
    the whole text when nothing was restored, is kept exactly as it was.
    ``delimiter`` is the header line's
    (:func:`~codingkit.tables.header_delimiter`) unless
    given. ``quoted=False`` reads a tab-separated file as plain lines split
    at tabs (no CSV quoting: a cell may start with ``"``).

    A cell that starts with ``=``, ``+``, ``-`` or ``@`` once restored (a
    phone number, an e-mail address in place of ``[Person 1]``) gets a
    leading ``'`` as in codingkit's own tables
    (:func:`~codingkit.tables.neutralise_cell`), so that the restored table
    does not run it as a formula when opened in Excel or LibreOffice.

    Raises
    ------
    PseudonymError
        E805 if ``text`` is not a well-formed CSV table.
    """
    import csv
    import io

    from ..tables import csv_row
    from ..tables import header_delimiter, neutralise_cell

    if delimiter is None:
        delimiter = header_delimiter(text)
    lines = list(io.StringIO(text, newline=""))  # split at \r\n, \n or \r, ends kept

    def restore_row(row: list[str]) -> tuple[list[str], int]:
        cells, count = [], 0
        for cell in row:
            restored, k = restore_originals(cell, key)
            if k:
                count += k
                if not cell.startswith("'"):
                    restored = neutralise_cell(restored)
            cells.append(restored)
        return cells, count

    def ending(line: str) -> str:
        return line[len(line.rstrip("\r\n")):]

    out, n = [], 0
    if not quoted:
        for line in lines:
            body = line[:len(line) - len(ending(line))]
            cells, k = restore_row(body.split(delimiter))
            out.append(delimiter.join(cells) + ending(line) if k else line)
            n += k
        return ("".join(out), n) if n else (text, 0)

    reader = csv.reader(iter(lines), delimiter=delimiter, strict=True)
    # a cell may hold a whole turn (up to CODINGKIT_MAX_TURN_MB, more once
    # pseudonymised), beyond the csv module's default of 131,072 characters;
    # no cell is longer than the table, which was read within its size limit
    limit = max(len(text), csv.field_size_limit())
    done = 0
    try:
        while True:
            try:
                row = csv_row(reader, limit)
            except StopIteration:
                break
            span = lines[done:reader.line_num]
            done = reader.line_num
            cells, k = restore_row(row)
            if not k:
                out.extend(span)
                continue
            n += k
            buffer = io.StringIO()
            # "\r\n" as the terminator makes the writer quote a cell holding
            # either character; the row's own ending goes back on after
            csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(cells)
            out.append(buffer.getvalue()[:-2] + ending(span[-1]))
    except csv.Error as exc:
        raise PseudonymError(f"malformed CSV ({exc}); expected a CSV table",
                             line=reader.line_num, code="E805") from None
    return ("".join(out), n) if n else (text, 0)


def pseudonymize_for_apply(transcripts: Sequence[Transcript], *, key_path, out_dir,
                           lists: Sequence = (), keep: Sequence[str] = (),
                           pseudonym_format: str = DEFAULT_FORMAT,
                           codebook=None, unknown: str = "list"
                           ) -> tuple[list[Transcript], dict]:
    """What ``codingkit apply --pseudonymize`` does right after reading:
    checks the key's place (E804), loads or starts the key, pseudonymises
    the transcripts (their source names too: E809 when two would get one),
    writes the key (0600) and returns the transcripts and the options to
    record in manifest.json."""
    check_key_location(key_path, out_dir)
    names = [entry for path in lists for entry in read_name_list(path)]
    keep_terms = list(keep)
    for path in [k for k in keep if Path(k).suffix == ".txt" and Path(k).is_file()]:
        keep_terms.remove(path)
        keep_terms += [term for _, term in read_name_list(path)]
    if codebook is not None:
        keep_terms += codebook_terms(codebook)
    key = (PseudonymKey.load(key_path, pseudonym_format) if Path(key_path).exists()
           else PseudonymKey(pseudonym_format))
    out = Pseudonymizer(key, names=names, keep=keep_terms,
                        unknown=unknown).transcripts(transcripts)
    sha = key.save(key_path)
    return out, {"pseudonymized": True, "pseudonym_key_sha256": sha,
                 "pseudonym_format": pseudonym_format, "pseudonymize_unknown": unknown}


def renamed_sources(before: Sequence[Transcript], after: Sequence[Transcript]
                    ) -> dict[str, str]:
    """The source names that pseudonymisation changed: original →
    pseudonymised, of the transcripts ``before`` and as ``after`` (the same
    transcripts, in order) have them."""
    return {a.source: b.source for a, b in zip(before, after) if a.source != b.source}


def codebook_terms(codebook) -> list[str]:
    """Capitalised words of a codebook's labels (kept: they are the themes)."""
    terms = set()
    for code in codebook:
        for text in (code.label, code.label_en or ""):
            terms.update(w for w in re.findall(r"\w+", text) if _is_upper(w) and len(w) > 2)
    return sorted(terms)
