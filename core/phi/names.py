"""Patients' names: the known ones (consent tracker, reviewers) and person-like names next to cues.

Known names are matched word by word on folded keys (``text.name_key``), so case, accents,
curly apostrophes and possessives never matter, and a middle name or initial may stand between
first and last name. The index is built once per set of names and kept, so a keystroke costs a
dictionary look-up per word whether 5 or 500 names are known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import regex

from core.phi.lexicon import Lexicon, phrase_pattern, relationship_pattern
from core.phi.model import Finding, Kind, Severity, finding
from core.phi.text import (
    NAME,
    WORD,
    Passage,
    Token,
    name_key,
    name_words,
    token,
    tokens,
    word_keys,
)

_GAP = regex.compile(r"\s+")
_INITIAL_GAP = regex.compile(r"\.?\s+")
_COMMA_GAP = regex.compile(r"\s*,\s*")
_SUFFIXES = frozenset(
    {"jr", "sr", "ii", "iii", "iv", "md", "dds", "dmd", "phd", "rn", "np", "esq", "do", "dc"}
)
_TITLES = frozenset({"dr", "doctor", "mr", "mrs", "ms", "mx", "miss", "prof"})


def name_parts(name: str) -> list[str]:
    """The keys of the words of a full name, without titles and suffixes:
    "Dr. Samuel Okafor Jr." -> ``["samuel", "okafor"]``."""
    parts = word_keys(name)
    while parts and parts[-1] in _SUFFIXES:
        parts.pop()
    while parts and parts[0] in _TITLES:
        parts.pop(0)
    return parts


@dataclass(frozen=True, slots=True)
class StaffNames:
    """The practice's staff: their names are never flagged as a patient's name."""

    forms: frozenset[tuple[str, ...]] = frozenset()
    keys: frozenset[str] = frozenset()

    @classmethod
    def of(cls, names: Iterable[str]) -> StaffNames:
        """Staff names from full names as typed ("Jamie Chen", "Dr. Ana Rivera")."""
        forms: set[tuple[str, ...]] = set()
        keys: set[str] = set()
        for name in names:
            parts = name_parts(name)
            keys.update(parts)
            if parts:
                forms.update({tuple(parts), (parts[0], parts[-1])})
        return cls(frozenset(forms), frozenset(keys))


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed by identity
class NamePatterns:
    """Compiled name cues; ``stopwords`` are keys of capitalised words that are never names.

    Cue phrases (``re``) are searched in the lowered text; the capitalised name next to them
    (``regex``, case-sensitive) is then matched in the original text. Patterns ending in ``$``
    run in reverse (``(?r)``) over the few words before a cue.
    """

    stopwords: frozenset[str]
    staff_before: regex.Pattern[str]
    honorific: regex.Pattern[str]
    patient_cue: re.Pattern[str]
    relationship: re.Pattern[str]
    thanks: re.Pattern[str]
    greeting: re.Pattern[str]
    name_at: regex.Pattern[str]
    name_before: regex.Pattern[str]

    @classmethod
    def build(cls, lexicon: Lexicon) -> NamePatterns:
        """Compile the cues from ``lexicon``."""
        titles = phrase_pattern(lexicon.staff_titles)
        # "Miss" is also a verb: "Don't Miss Our Open House" names nobody.
        honorifics = phrase_pattern((h for h in lexicon.honorifics if h != "Miss"), lower=False)
        if "Miss" in lexicon.honorifics:
            honorifics += r"|(?<!(?i:n['\u2019]t|not|never|to)\s+)Miss"
        relationship = phrase_pattern(lexicon.relationship_phrases)
        return cls(
            stopwords=frozenset(name_key(word) for word in lexicon.name_stopwords),
            staff_before=regex.compile(rf"(?r)(?i:(?<!\w)(?:{titles}))\.?,?\s+$"),
            honorific=regex.compile(rf"(?<![\w])(?:{honorifics})\.?[ \t]+({NAME})"),
            patient_cue=re.compile(
                rf"(?<!\w)(?:{relationship}|patient|pt\.)"
                r"(?:\s+(?:spotlight|story|feature|shout[-\s]?out))?[,:!\s-]*[ \t]"
                r"(?:(?:little|sweet|brave|young|miss|mr\.?|mrs\.?|ms\.?)[ \t]+)?"
            ),
            relationship=relationship_pattern(lexicon),
            thanks=re.compile(
                r"(?<!\w)(?:thanks?|thank\s+you|shout[-\s]?outs?|congrat(?:ulation)?s|kudos"
                r"|hats\s+off|welcome\s+back|happy\s+(?:\w+\s+)?birthday|high\s+fives?"
                r"|way\s+to\s+go|so\s+proud\s+of|proud\s+of)[,!]?\s+(?:to\s+)?"
                r"(?:(?:our|little|sweet|brave|miss)\s+)?"
            ),
            greeting=re.compile(
                r"(?<!\w)(?:hi|hey|hello|dear|sorry|thanks|thank\s+you|congrats|congratulations"
                r"|welcome\s+back|good\s+(?:morning|luck)|get\s+well\s+soon)[,!]?\s+"
            ),
            name_at=regex.compile(NAME),
            name_before=regex.compile(rf"(?r)({NAME})(?:,|\s+(?i:is|was|has\s+been))?\s+$"),
        )


@dataclass(frozen=True, slots=True)
class People:
    """Decides whether a capitalised span is a person to flag: not a stopword, not staff."""

    patterns: NamePatterns
    staff: StaffNames

    def person(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """The part of ``text[start:end]`` that is a person's name, or ``None``.

        Stopwords are trimmed from both ends ("Happy Maria" -> "Maria"); a name right after a
        staff title ("Dr. Rivera", "hygienist Jamie") or made only of staff names is ``None``.
        """
        spans = [(start + s, start + e) for s, e in name_words(text[start:end])]
        while spans and name_key(text[spans[0][0] : spans[0][1]]) in self.patterns.stopwords:
            spans.pop(0)
        while spans and name_key(text[spans[-1][0] : spans[-1][1]]) in self.patterns.stopwords:
            spans.pop()
        if not spans:
            return None
        first, last = spans[0][0], spans[-1][1]
        if self.patterns.staff_before.search(text[max(0, first - 30) : first]):
            return None
        keys = [name_key(text[s:e]) for s, e in spans]
        if all(key in self.staff.keys for key in keys):
            return None
        return first, last

    def thanked(self, passage: Passage) -> list[tuple[int, int]]:
        """The spans of the names right after "thanks to", "congrats to", "happy birthday"."""
        found = []
        for cue in self.patterns.thanks.finditer(passage.lower):
            name = self.patterns.name_at.match(passage.text, cue.end())
            span = name and self.person(passage.text, *name.span())
            if span:
                found.append(span)
        return found

    def addressed(self, passage: Passage) -> list[tuple[int, int]]:
        """The spans of names the text speaks to: "Sorry Mark, ...", "Hi Ana! ..."."""
        found = []
        for cue in self.patterns.greeting.finditer(passage.lower):
            name = self.patterns.name_at.match(passage.text, cue.end())
            if name is None or passage.text[name.end() : name.end() + 1] not in (",", "!", ":"):
                continue
            span = self.person(passage.text, *name.span())
            if span:
                found.append(span)
        return found

    def cue_findings(
        self,
        passage: Passage,
        thanked: Iterable[tuple[int, int]],
        detail_sentences: Iterable[int],
    ) -> list[Finding]:
        """Names after an honorific or a patient cue, before "our patient", and the
        ``thanked`` names (see ``thanked``) in a sentence that also ties a health or visit
        detail to someone (``detail_sentences`` holds the starts of such sentences)."""
        text, patterns = passage.text, self.patterns
        spans = [("honorific", m.span(1)) for m in patterns.honorific.finditer(text)]
        for cue in patterns.patient_cue.finditer(passage.lower):
            name = patterns.name_at.match(text, cue.end())
            if name is not None:
                spans.append(("patient_cue", name.span()))
        for cue in patterns.relationship.finditer(passage.lower):
            lo = max(passage.sentences.start_of(cue.start()), cue.start() - 60)
            name = patterns.name_before.search(text, lo, cue.start())
            if name is not None:
                spans.append(("patient_cue", name.span(1)))
        contexts = frozenset(detail_sentences)
        spans += [
            ("thanks_in_context", span)
            for span in thanked
            if passage.sentences.start_of(span[0]) in contexts
        ]
        found = []
        for rule, (start, end) in spans:
            span = self.person(text, start, end)
            if span is not None:
                found.append(finding(Kind.NAME, *span, rule))
        return found


@dataclass(frozen=True, slots=True)
class _Form:
    keys: tuple[str, ...]
    comma: bool = False  # "Lopez, Maria"
    skip_middle: bool = False  # a middle name or initial may stand between the two words


class KnownNames:
    """An index of known full names (patients, reviewers) for matching in text.

    Each name is matched as written (without titles and suffixes), as first + last name (with or
    without a middle name or initial in the text), as "Last, First", and for three or more names
    as the first name with each later one ("José Núñez García" -> "José Núñez"). A name of one
    word ("Jenny K." leaves "Jenny") matches only when capitalised, as does a known first name
    used as a possessive ("Maria's"), and both are medium severity.
    """

    def __init__(self, names: Iterable[str], stopwords: frozenset[str]) -> None:
        by_first: dict[str, set[_Form]] = {}
        singles: set[str] = set()
        firsts: set[str] = set()
        for name in names:
            parts = name_parts(name)
            named = [key for key in parts if len(key) > 1]
            if len(named) == 1 and len(named[0]) > 2 and named[0] not in stopwords:
                singles.add(named[0])
            if len(named) < 2:
                continue
            firsts.add(named[0])
            for form in _forms(parts, named):
                by_first.setdefault(form.keys[0], set()).add(form)
        self._by_first = {
            first: sorted(forms, key=lambda f: -len(f.keys)) for first, forms in by_first.items()
        }
        self._singles = frozenset(singles)
        self._firsts = frozenset(firsts - stopwords)
        self._keys = frozenset(self._by_first) | self._singles | self._firsts
        # Words to read after a first name: the longest form, plus a middle name to skip.
        self._longest = 1 + max((len(f.keys) for fs in by_first.values() for f in fs), default=1)

    def find(self, text: str, staff: StaffNames) -> list[Finding]:
        """Every known name in ``text``, except names that are also staff names."""
        found: list[Finding] = []
        for match in WORD.finditer(text):
            key = name_key(match.group())
            if key not in self._keys:
                continue
            start, end, key, capital = here = token(match)
            words = [here, *tokens(text, match.end(), self._longest - 1)]
            for form in self._by_first.get(key, ()):
                last = _match(form, words, text)
                # "We hope Martin ..." is not Hope Martin: a name is written all capitalised,
                # all lower case or all capitals, never with only its first word in lower case.
                if last is None or (not capital and any(w[3] for w in words[1 : last + 1])):
                    continue
                if not _is_staff(form, staff):
                    found.append(finding(Kind.NAME, start, words[last][1], "known_name"))
                break
            else:
                if not capital or key in staff.keys:
                    continue
                if key in self._singles:
                    found.append(finding(Kind.NAME, start, end, "known_name", Severity.MEDIUM))
                elif key in self._firsts and text[end : end + 1] in ("'", "\u2019"):
                    found.append(
                        finding(Kind.NAME, start, end, "known_first_name", Severity.MEDIUM)
                    )
        return found


@lru_cache(maxsize=8)
def known_names(names: frozenset[str], stopwords: frozenset[str]) -> KnownNames:
    """The index for ``names``, built once per set of names."""
    return KnownNames(names, stopwords)


def _forms(parts: list[str], named: list[str]) -> set[_Form]:
    first, last = named[0], named[-1]
    forms = {
        _Form(tuple(parts)),
        _Form((first, last), skip_middle=True),
        _Form((last, first), comma=True),
    }
    forms.update(_Form((first, later), skip_middle=True) for later in named[1:-1])
    for form in list(forms):  # "Mary-Kate" is also written "Mary Kate"
        if any("-" in key for key in form.keys):
            split = tuple(part for key in form.keys for part in key.split("-") if part)
            forms.add(_Form(split))
    return {form for form in forms if len(form.keys) > 1}


def _match(form: _Form, words: Sequence[Token], text: str) -> int | None:
    """The index of the last word of ``form`` when it starts at ``words[0]``, else ``None``."""
    j = 0
    for n, key in enumerate(form.keys[1:], start=1):
        j += 1
        if j >= len(words):
            return None
        gap = text[words[j - 1][1] : words[j][0]]
        if not (_COMMA_GAP if n == 1 and form.comma else _GAP).fullmatch(gap):
            return None
        if words[j][2] == key:
            continue
        middle = words[j]
        if not (form.skip_middle and n == 1 and (len(middle[2]) == 1 or middle[3])):
            return None
        j += 1
        if j >= len(words) or words[j][2] != key:
            return None
        if not _INITIAL_GAP.fullmatch(text[middle[1] : words[j][0]]):
            return None
    return j


def _is_staff(form: _Form, staff: StaffNames) -> bool:
    keys = form.keys[::-1] if form.comma else form.keys
    return keys in staff.forms or (keys[0], keys[-1]) in staff.forms
