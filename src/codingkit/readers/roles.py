"""Who is the interviewer? Telling interviewer turns from respondent turns.

Only the respondents' answers are evidence of a theme, so every turn is
marked ``"interviewer"`` or ``"respondent"``. The interviewer is found in
this order:

1. a speaker label that names the role: ``I``, ``Int``, ``Intervjuare``,
   ``Intervjuaren``, ``Moderator``, ``Interviewer`` (any case, with or
   without a number: ``I2``, ``Intervjuare 1``);
2. else the metadata key ``interviewer`` (from a manifest or the
   transcript's header: ``Intervjuare: Lars Berg``), matched against the
   labels by full name or first name;
3. else, with two or more speakers, the speaker whose turns are clearly
   mostly questions (a turn ending in ``?`` or starting with a Swedish
   question word: *hur, vad, varför, när, vilka, kan du, berätta, ...*, or
   with a verb and its subject: *har ni, finns det*). Short feedback
   ("mm", "ja") is not counted.

Everyone else, and every turn whose speaker is unknown, is a respondent.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from typing import Iterable, Mapping

from ..model import INTERVIEWER, RESPONDENT, Transcript, Turn

#: Speaker labels that name the interviewer (compared case-insensitively,
#: after removing a trailing number).
INTERVIEWER_LABELS = frozenset(
    {"i", "int", "intervjuare", "intervjuaren", "moderator", "interviewer", "intervjuer",
     "fråga"}
)

#: Words and phrases that open a Swedish question.
QUESTION_STARTS = (
    "hur", "vad", "varför", "när", "var", "vem", "vems", "vilka", "vilken", "vilket",
    "kan du", "kan ni", "skulle du", "skulle ni", "berätta", "beskriv", "har du", "har ni",
    "hade du", "hade ni", "tycker du", "tycker ni", "upplever du", "upplever ni",
    "finns det", "fanns det", "är det", "var det", "ser du", "ser ni", "känner du",
    "vill du", "vill ni", "minns du", "skulle det", "kunde du", "kunde ni", "hurdan",
)
_QUESTION_RE = re.compile(
    r"^(?:" + "|".join(re.escape(q) for q in sorted(QUESTION_STARTS, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)

#: A speaker counts as the interviewer by the question heuristic when at
#: least this share of their turns are questions ...
QUESTION_SHARE = 0.6
#: ... and this much more than any other speaker's share.
QUESTION_MARGIN = 0.3


def _base_label(label: str) -> str:
    return re.sub(r"[\s\d.]+$", "", label.strip()).casefold()


def is_interviewer_label(label: str | None) -> bool:
    """Whether a speaker label names the interviewer role.

    >>> is_interviewer_label("I"), is_interviewer_label("Intervjuare 2"), is_interviewer_label("IP1")
    (True, True, False)
    """
    return label is not None and _base_label(label) in INTERVIEWER_LABELS


#: Finite verbs that open a Swedish yes/no question ("Har ni ...", "Finns det ...")
#: when a subject follows.
_V1_VERBS = ("har", "hade", "är", "var", "kan", "kunde", "ska", "skulle", "finns", "fanns",
             "tycker", "tyckte", "tror", "trodde", "vet", "visste", "blev", "fick", "gick",
             "vill", "ville", "behövde", "brukar", "märker", "märkte", "ser", "såg",
             "upplever", "upplevde", "känner", "kände", "använder", "gör", "gjorde")
_SUBJECTS = ("du", "ni", "det", "man", "de", "dom", "han", "hon", "vi", "någon", "något",
             "andra", "era", "er", "din", "ditt", "dina", "ert", "ledningen", "leverantörerna")
_V1_RE = re.compile(rf"^(?:{'|'.join(_V1_VERBS)})\s+(?:\w+\s+)?(?:{'|'.join(_SUBJECTS)})\b",
                    re.IGNORECASE)
#: Discourse markers skipped before looking for a question word ("Och hur ...").
_MARKERS_RE = re.compile(
    r"^(?:(?:och|men|så|okej|ok|ja|nej|mm+|m|eh+|öh+|jaha|jaså|precis|bra|då|alltså|"
    r"\(\w+\))[\s,.!:;–—-]+)+", re.IGNORECASE)


def is_question(text: str) -> bool:
    """Whether a turn reads as a question.

    A turn is a question if it ends with ``?``, or one of its first two
    sentences opens (after "och", "men", "okej", "mm", ...) with a question
    word ("hur", "vad", "berätta", "kan du", ...) or with a verb followed by
    its subject ("har ni", "finns det").

    >>> is_question("Och hur började ni med dialogen?")
    True
    >>> is_question("Berätta om upphandlingen")
    True
    >>> is_question("mm och har andra regioner hört av sig till er")
    True
    >>> is_question("Vi bjöd in leverantörerna tidigt.")
    False
    """
    text = text.strip()
    if not text:
        return False
    if text.rstrip("\"'”»)").endswith("?"):
        return True
    for sentence in re.split(r"(?<=[.!])\s+", text, maxsplit=2)[:2]:
        sentence = _MARKERS_RE.sub("", sentence.lstrip("–—-\"'”» "))
        if _QUESTION_RE.match(sentence) or _V1_RE.match(sentence):
            return True
    return False


def _is_backchannel(text: str) -> bool:
    """Short feedback ("mm", "ja", "(skratt) ja") that says nothing about the role."""
    return len(re.findall(r"\w+", text)) < 3 and not is_question(text)


def _matches_name(label: str, name: str) -> bool:
    label_cf, name_cf = label.strip().casefold(), name.strip().casefold()
    if not label_cf or not name_cf:
        return False
    return label_cf == name_cf or label_cf == name_cf.split()[0] or name_cf == label_cf.split()[0]


def find_interviewers(turn_texts: Iterable[tuple[str | None, str]],
                      metadata: Mapping[str, str] | None = None) -> set[str]:
    """The speaker labels that belong to the interviewer.

    Parameters
    ----------
    turn_texts:
        ``(speaker, text)`` for every turn, in order.
    metadata:
        The transcript's metadata; its ``interviewer`` value is used when no
        label names the role.

    Returns
    -------
    set of str
        Possibly empty (then every speaker is a respondent).

    Examples
    --------
    >>> find_interviewers([("Lars", "Hur började det?"), ("Karin", "Med en dialog."),
    ...                    ("Lars", "Vad hände sedan?"), ("Karin", "Vi upphandlade.")])
    {'Lars'}
    """
    by_speaker: dict[str, list[str]] = defaultdict(list)
    for speaker, text in turn_texts:
        if speaker is not None:
            by_speaker[speaker].append(text)
    speakers = list(by_speaker)
    known = {s for s in speakers if is_interviewer_label(s)}
    if known:
        return known
    named = (metadata or {}).get("interviewer", "").strip()
    if named:
        names = [n for n in re.split(r"\s*[,;&]\s*|\s+och\s+", named) if n]
        chosen = {s for s in speakers if any(_matches_name(s, n) for n in names)}
        if chosen:
            return chosen
    if len(speakers) < 2:
        return set()
    shares = []
    for s, texts in by_speaker.items():
        counted = [t for t in texts if not _is_backchannel(t)] or texts
        shares.append((sum(is_question(t) for t in counted) / len(counted), s))
    shares.sort(reverse=True)
    (best_share, best), (second_share, _) = shares[0], shares[1]
    if best_share >= QUESTION_SHARE and best_share - second_share >= QUESTION_MARGIN:
        return {best}
    return set()


def assign_roles(transcript: Transcript) -> Transcript:
    """Set ``speaker_role`` on every turn of ``transcript`` (in place) and return it.

    Turns are frozen, so they are replaced with :func:`dataclasses.replace`.
    """
    interviewers = find_interviewers(
        ((t.speaker, transcript.turn_text(t)) for t in transcript.turns), transcript.metadata
    )
    new_turns: list[Turn] = []
    for t in transcript.turns:
        role = INTERVIEWER if t.speaker is not None and t.speaker in interviewers else RESPONDENT
        new_turns.append(t if t.speaker_role == role else replace(t, speaker_role=role))
    transcript.turns = new_turns
    return transcript
