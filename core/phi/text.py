"""Pieces of text the rules share: sentences, words, person-like names and name keys."""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from functools import lru_cache

import regex

# A capitalised word that can be (part of) a name: "Tom", "José", "McKenzie", "O'Neil",
# "Mary-Kate". Case-sensitive on purpose: "tom's crown" is too weak a cue on its own.
NAME_WORD = r"(?:\p{Lu}['\u2019])?\p{Lu}\p{Ll}[\p{L}\p{M}]*(?:-\p{Lu}\p{Ll}[\p{L}\p{M}]*)?"
# Up to three name words, a middle initial allowed: "Maria", "Maria Lopez", "Maria J. Lopez".
NAME = rf"{NAME_WORD}(?:[ \t\u00a0]+(?:\p{{Lu}}\.[ \t\u00a0]+)?{NAME_WORD}){{0,2}}"
# Up to three words between a cue and what it points at ("her brand new crown"); lazy, so a
# reverse search finds the nearest cue.
WINDOW = r"(?:[\w'\u2019-]+\s+){0,3}?"

WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['\u2019\u02bc\-\u2010\u2011][\p{L}\p{M}\p{N}]+)*")
_NAME_WORD = regex.compile(NAME_WORD)
_SENTENCE_END = regex.compile(
    r"(?<!\b(?:Dr|Mr|Mrs|Ms|Mx|St|Jr|Sr|vs|etc|No|Ave|Blvd|Rd|Apt|Ste|Prof|Rev|\p{Lu}))"
    r"[.!?\u2026]+['\")\]\u2019\u201d]*(?=\s|$)|\n"
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-"})


def lowered(text: str) -> str:
    """``text`` in lower case, one character for one: phrase lists are matched on it (the
    standard ``re`` module matches a case-sensitive trie several times faster than ``regex``
    matches a case-insensitive one). Only "İ" lowers to two characters; it becomes "i"."""
    return (text.replace("\u0130", "i") if "\u0130" in text else text).lower()


class Passage:
    """The text being checked, lowered once, with its sentences."""

    __slots__ = ("lower", "sentences", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.lower = lowered(text)
        self.sentences = Sentences(text)


class Sentences:
    """Where the sentences of a text start and end (a line break always ends one)."""

    __slots__ = ("_ends", "_length", "_starts")

    def __init__(self, text: str) -> None:
        ends = [match.end() for match in _SENTENCE_END.finditer(text)]
        self._starts = [0, *ends]
        self._ends = [*ends, len(text)]
        self._length = len(text)

    def around(self, index: int) -> tuple[int, int]:
        """The ``(start, end)`` of the sentence holding ``text[index]``."""
        i = bisect_right(self._starts, min(max(index, 0), self._length)) - 1
        return self._starts[i], self._ends[i]

    def start_of(self, index: int) -> int:
        """Where the sentence holding ``text[index]`` starts."""
        return self.around(index)[0]


@lru_cache(maxsize=8192)
def name_key(word: str) -> str:
    """``word`` folded for comparing names: no accents, one apostrophe, case-folded.

    "Núñez" and "NUNEZ" give the same key, as do "O’Neil" and "o'neil"; a possessive "'s" is
    dropped ("Maria's" -> "maria").
    """
    decomposed = unicodedata.normalize("NFKD", word.translate(_APOSTROPHES))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    if len(folded) > 2 and folded.endswith("'s"):
        folded = folded[:-2]
    return folded


Token = tuple[int, int, str, bool]
"""A word as ``(start, end, key, capitalised)``; a possessive "'s" is left outside ``end``."""


def token(match: regex.Match[str]) -> Token:
    """The ``Token`` for a match of ``WORD``."""
    start, end = match.span()
    word = match.group()
    if len(word) > 2 and word[-1] in "sS" and word[-2] in "'\u2019\u02bc":
        end -= 2
    return start, end, name_key(word), word[0].isupper()


def tokens(text: str, pos: int = 0, count: int = 0) -> list[Token]:
    """The words of ``text`` from ``pos`` on (only the first ``count`` when it is above 0)."""
    found = []
    for match in WORD.finditer(text, pos):
        found.append(token(match))
        if len(found) == count:
            break
    return found


def name_words(name: str) -> list[tuple[int, int]]:
    """The spans of the capitalised words in ``name``."""
    return [match.span() for match in _NAME_WORD.finditer(name)]


def word_keys(text: str) -> list[str]:
    """The keys (``name_key``) of the words in ``text``."""
    return [name_key(match.group()) for match in WORD.finditer(text)]
