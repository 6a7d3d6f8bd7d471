"""The PHI check's word lists, read from ``resources/phi/*.json`` (editable configuration).

Each file holds lists of plain phrases under named keys (keys starting with ``_`` are notes).
Phrases match whatever the case (only ``honorifics`` are matched as written, capitalised), with
a few conveniences: ``{a,b}`` expands to both forms, a hyphen also matches a space or nothing
("check-up" finds "checkup" and "check up"), a space matches any run of spaces, an apostrophe
also matches a curly one and a dot may be left out ("d.o.b" finds "dob").
``phrase_pattern`` turns a list into one regular expression shaped like a trie, so a list of a
few hundred phrases costs about as much to search as a single word.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

import regex

from core.errors import ValidationError

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "resources" / "phi"
FILES = ("health", "people", "visits", "relationships", "insurance", "places", "records")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Every word list the rules use; each field is one key of one file in ``resources/phi``.

    The ``_about`` note at the top of each file says what its lists are for.
    """

    # health.json
    procedures: tuple[str, ...]
    conditions: tuple[str, ...]
    medications: tuple[str, ...]
    expertise_words: tuple[str, ...]
    # people.json
    honorifics: tuple[str, ...]
    staff_titles: tuple[str, ...]
    name_stopwords: tuple[str, ...]
    person_nouns: tuple[str, ...]
    generic_subjects: tuple[str, ...]
    subject_verbs: tuple[str, ...]
    object_verbs: tuple[str, ...]
    practice_subjects: tuple[str, ...]
    age_generic_before: tuple[str, ...]
    age_generic_groups: tuple[str, ...]
    # visits.json
    visit_phrases: tuple[str, ...]
    visit_followers: tuple[str, ...]
    chair_phrases: tuple[str, ...]
    arrival_phrases: tuple[str, ...]
    visit_nouns: tuple[str, ...]
    date_person_cues: tuple[str, ...]
    date_visit_cues: tuple[str, ...]
    date_generic_before: tuple[str, ...]
    months: tuple[str, ...]
    weekdays: tuple[str, ...]
    relative_days: tuple[str, ...]
    # relationships.json
    relationship_phrases: tuple[str, ...]
    reply_phrases: tuple[str, ...]
    not_after: tuple[str, ...]
    # insurance.json
    carriers: tuple[str, ...]
    terms: tuple[str, ...]
    member_nouns: tuple[str, ...]
    # places.json
    street_suffixes: tuple[str, ...]
    units: tuple[str, ...]
    directionals: tuple[str, ...]
    public_cues: tuple[str, ...]
    not_street_words: tuple[str, ...]
    # records.json
    strong_labels: tuple[str, ...]
    marked_labels: tuple[str, ...]
    markers: tuple[str, ...]


_FIELDS = tuple(f.name for f in fields(Lexicon))


def load_lexicon(directory: Path | None = None) -> Lexicon:
    """Read the word lists from ``directory`` (by default ``resources/phi``).

    ``ValidationError`` (its ``field`` names the file and key) for a missing or unreadable file,
    an unknown or missing key, or a list that is not a list of non-empty strings.
    """
    folder = DEFAULT_DIR if directory is None else directory
    documents: dict[str, Mapping[str, Any]] = {}
    for name in FILES:
        path = folder / f"{name}.json"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ValidationError(f"cannot read {path}: {error}", field=name) from error
        if not isinstance(document, Mapping):
            raise ValidationError(f"{path} must hold a JSON object", field=name)
        documents[name] = document
    return lexicon_from(documents)


def lexicon_from(documents: Mapping[str, Mapping[str, Any]]) -> Lexicon:
    """A lexicon from parsed documents, ``{"health": {"procedures": [...], ...}, ...}``."""
    values: dict[str, tuple[str, ...]] = {}
    for name, document in documents.items():
        for key, value in document.items():
            if key.startswith("_"):
                continue
            where = f"{name}.{key}"
            if key not in _FIELDS or key in values:
                raise ValidationError(f"{where}: unknown or repeated list", field=where)
            if not isinstance(value, list) or not all(
                isinstance(item, str) and item.strip() for item in value
            ):
                raise ValidationError(f"{where} must be a list of non-empty texts", field=where)
            values[key] = tuple(item.strip() for item in value)
    missing = [key for key in _FIELDS if key not in values]
    if missing:
        raise ValidationError(f"missing word lists: {', '.join(missing)}", field=missing[0])
    return Lexicon(**values)


@cache
def default_lexicon() -> Lexicon:
    """The lists in ``resources/phi``, read on first use and then kept."""
    return load_lexicon()


_BRACES = regex.compile(r"\{([^{}]*)\}")


def expand(phrase: str) -> list[str]:
    """Every form of ``phrase``: ``"{dental ,}crown"`` gives ``["dental crown", "crown"]``."""
    match = _BRACES.search(phrase)
    if match is None:
        return [" ".join(phrase.split())]
    head, tail = phrase[: match.start()], phrase[match.end() :]
    return [form for option in match.group(1).split(",") for form in expand(head + option + tail)]


def expand_all(phrases: Iterable[str]) -> list[str]:
    """Every form of every phrase, without repeats, in order."""
    return list(dict.fromkeys(form for phrase in phrases for form in expand(phrase) if form))


_ATOMS = {
    " ": r"\s+",
    "-": r"[-\u2010\u2011\s]?",
    "'": r"['\u2019]",
    ".": r"\.?",
}

_Trie = dict[str, "_Trie"]


def phrase_pattern(phrases: Iterable[str], *, lower: bool = True) -> str:
    """One regular expression (without flags or word boundaries) matching any of ``phrases``.

    The phrases are expanded (``expand``) and merged into a trie, so alternatives share their
    common beginnings; a longer phrase is preferred over its own prefix.
    """
    trie: _Trie = {}
    for form in expand_all(phrases):
        node = trie
        for char in form.lower() if lower else form:
            node = node.setdefault(_ATOMS.get(char) or regex.escape(char), {})
        node[""] = {}
    return _serialise(trie) or "(?!)"


def compile_phrases(phrases: Iterable[str]) -> re.Pattern[str]:
    """A whole-word pattern for ``phrases``, to search in lowered text (``text.lowered``)."""
    return re.compile(rf"(?<!\w)(?:{phrase_pattern(phrases)})(?!\w)")


def relationship_pattern(lexicon: Lexicon) -> re.Pattern[str]:
    """ "our patient", "one of our patients" ..., but not "our patient portal" (``not_after``)."""
    return re.compile(
        rf"(?<!\w)(?:{phrase_pattern(lexicon.relationship_phrases)})(?!\w)"
        rf"(?!\s+(?:{phrase_pattern(lexicon.not_after)})(?!\w))"
    )


def _serialise(node: _Trie) -> str:
    branches = [atom + _serialise(child) for atom, child in node.items() if atom]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" not in node:
        return body
    return f"(?:{body})?" if len(branches) == 1 else body + "?"
