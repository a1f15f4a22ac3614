"""Restoring originals (depseudonymize) with a large key: the same result as the
regular expression of every pseudonym that did it before, built once per key
instead of once per cell (with 300,000 entries about 2 s a cell before; see
benchmarks/depseudonymize_speed.py for the figures, no timing here)."""

from __future__ import annotations

import random
import re

import pytest

from codingkit.pseudonymize import PseudonymKey, restore_originals, restore_originals_csv


def _restore_by_regex(text: str, key: PseudonymKey) -> tuple[str, int]:
    """The previous restore_originals, kept as the reference."""
    originals = key.originals()
    if not originals:
        return text, 0
    rx = re.compile("|".join(re.escape(p) for p in sorted(originals, key=len, reverse=True)))
    text, n = rx.subn(lambda m: originals[m.group()], text)
    labels = {p.strip("[]"): o for p, o in originals.items() if p.strip("[]") != p}
    if labels:
        rx = re.compile(r"(?m)^(" + "|".join(re.escape(p) for p in
                                              sorted(labels, key=len, reverse=True)) + r")(?=:)")
        text, m = rx.subn(lambda m: labels[m.group(1)], text)
        n += m
    return text, n


def _key(fmt: str, n: int, rng: random.Random) -> PseudonymKey:
    key = PseudonymKey(fmt)
    for i in range(n):
        typ = rng.choice(["Person", "Telefon", "Namn", "E-post"])
        key.pseudonym(typ, f"{typ}{i}", f"Original {typ} {i} med [klammer] och Person 1:")
    return key


@pytest.mark.parametrize("fmt", ["[{type} {n}]", "{type}_{n}", "<{type}{n}>", "{n}:{type}",
                                 "[[{type}]] {n}"])
def test_the_same_restoration_as_the_regular_expression(fmt):
    """Random texts of pseudonyms, their prefixes and bracket-less labels, line
    breaks and colons: where pseudonyms overlap ('Person_1' in 'Person_12',
    no closing bracket) the longest at the leftmost place wins, as before."""
    rng = random.Random(fmt)
    key = _key(fmt, 150, rng)
    pseudonyms = list(key.originals())
    # a hand-edited entry of another shape, and one that is a prefix of others
    key._entries["[Person 1"] = {"pseudonym": "[Person 1", "type": "Person",
                                 "original": "Hand", "norm": "hand"}
    pieces = [*pseudonyms, *(p.strip("[]") for p in pseudonyms), *(p[:-1] for p in pseudonyms),
              "\n", ":", " ", "[", "]", "Person", "1", "12", "å", "\r\n", "[Person 1"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        assert restore_originals(text, key) == _restore_by_regex(text, key), text


def test_a_label_key_that_strips_to_nothing_restores_as_before():
    key = PseudonymKey()
    key._entries["[[[[[[[[[]"] = {"pseudonym": "[[[[[[[[[]", "type": "Person",
                                  "original": "Tom", "norm": "tom"}
    key.pseudonym("Person", "anna", "Anna")
    for text in (":x\n:y", "Person 1: hej\n[[[[[[[[[] och :", "", "\n\n:"):
        assert restore_originals(text, key) == _restore_by_regex(text, key)


def test_the_key_is_prepared_once_per_table_not_per_cell(monkeypatch):
    """Each cell rebuilt the expression from the whole key: 300,000 pseudonyms
    sorted, escaped and joined per cell. Now once, and again only when the
    key has grown."""
    key = _key("[{type} {n}]", 50, random.Random(1))
    first = next(iter(key.originals()))
    table = "a,b,c\n" + "".join(f"{first} {i},x {i},\"{first}\ny\"\n" for i in range(100))
    calls = []
    real = PseudonymKey.originals
    monkeypatch.setattr(PseudonymKey, "originals", lambda self: calls.append(1) or real(self))
    restored, n = restore_originals_csv(table, key)
    assert n == 200 and len(calls) <= 1
    assert restored.count(key.originals()[first]) == 200
    # a pseudonym added later is restored too (the prepared key is made again)
    new = key.pseudonym("Person", "ny", "Ny Person")
    assert restore_originals(f"{new} och {first}", key)[1] == 2
