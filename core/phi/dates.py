"""Dates and ages tied to a person.

A date is a risk only when it is someone's: a birthday or date of birth, the date of a visit or
treatment ("her appointment on March 3", "was seen today"), or any date in a sentence that
already names a patient or a health or visit detail. Practice news ("Closed on Dec 24", "Flu
shots start Oct 1") passes clean. Ages are "78-year-old", "aged 9", "turns 100", "90th
birthday"; "Every 6-year-old", "children aged 6 to 12" and "Our practice turns 25" are not.
Ages over 89 identify a person on their own (45 CFR 164.514(b)(2)(i)(C)), so they are high
severity, other ages medium.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import regex

from core.phi.lexicon import Lexicon, compile_phrases, phrase_pattern
from core.phi.model import Finding, Kind, Severity, finding
from core.phi.names import People
from core.phi.text import NAME, NAME_WORD, Passage, word_keys

_UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_NUMBERS = {word: value for value, word in enumerate(_UNITS)} | {
    word: 10 * tens for tens, word in enumerate(_TENS, 2)
}
_NUMBER_WORD = phrase_pattern([*_NUMBERS, "hundred"])
_NUMBER = rf"(?:\d{{1,3}}|(?:a|one)\s+hundred|{_NUMBER_WORD}(?:[-\s]{_NUMBER_WORD})?)"
_OLDEST_UNIDENTIFYING_AGE = 89
_OLDEST_AGE = 120
_BIRTHDAY_CUES = frozenset({"birthday", "bday", "b-day", "born"})
_PREPOSITIONS = frozenset(
    ("at", "by", "until", "till", "before", "after", "over", "under", "from", "around", "about",
     "since", "of", "to")
)  # fmt: skip
# "Mrs. Yang, 88, ..." and "Mr. Thompson (72)"; "Happy 90th, Grandma Rose!"
_APPOSITIVE = regex.compile(
    rf"(?P<name>{NAME_WORD})(?:,\s*(?P<age>\d{{1,3}})\s*,|\s+\((?P<age>\d{{1,3}})\))"
)
_HAPPY = regex.compile(
    rf"(?<!\w)(?i:happy)\s+(?P<age>\d{{1,3}})(?:st|nd|rd|th)[,!]?\s+(?:(?i:to)\s+)?"
    rf"(?P<name>{NAME})"
)
_PREVIOUS_WORD = re.compile(r"([\w'\u2019-]+)\W*$")


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed by identity
class WhenPatterns:
    """Compiled patterns for dates, the cues that make a date someone's, and ages; all are
    searched in the lowered text."""

    date: re.Pattern[str]
    person_cue: re.Pattern[str]
    visit_cue: re.Pattern[str]
    generic_before: re.Pattern[str]
    generic_subject: re.Pattern[str]
    age: re.Pattern[str]
    practice: re.Pattern[str]
    staff: re.Pattern[str]
    age_generic_before: frozenset[str]
    age_generic_groups: frozenset[str]

    @classmethod
    def build(cls, lexicon: Lexicon) -> WhenPatterns:
        """Compile the patterns from ``lexicon``."""
        months = phrase_pattern(m for m in lexicon.months if len(m) > 3 or m == "may")
        any_month = rf"(?:{phrase_pattern(lexicon.months)})\.?"
        days = phrase_pattern(d for d in lexicon.weekdays if len(d) > 3)
        # "Sat" and "Sun" are words too: short forms count only as "Sat." or "Sat, 3/4".
        short_days = phrase_pattern(d for d in lexicon.weekdays if len(d) <= 3)
        ordinal = r"\d{1,2}(?:st|nd|rd|th)?(?!\d)"
        return cls(
            date=re.compile(
                rf"(?<!\w)(?:{any_month}\s+{ordinal}(?:,?\s+\d{{4}})?"
                rf"|{ordinal}\s+(?:of\s+)?{any_month}(?!\w)(?:,?\s+\d{{4}})?"
                rf"|(?:in|last|this|next|since|early|late|mid-?|until|during)\s+(?:{months})"
                rf"|(?:(?:last|this|next|this\s+past)\s+)?(?:{days}|(?:{short_days})(?=\.|,?\s+\d))"
                rf"|(?:{phrase_pattern(lexicon.relative_days)}))(?!\w)"
                r"|(?<![\d/.:\-])(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}"
                r"|\d{1,2}/\d{1,2})(?![\d/:\-]|\.\d)"
            ),
            person_cue=compile_phrases(lexicon.date_person_cues),
            visit_cue=re.compile(
                rf"(?<!\w)(?:{phrase_pattern(lexicon.date_visit_cues)})\s+"
                r"(?:(?:is|was|on|for|set\s+for|scheduled\s+for|booked\s+for|back\s+on|from)\s+)"
                r"{0,2}$"
            ),
            generic_before=re.compile(
                rf"(?<!\w)(?:{phrase_pattern(lexicon.date_generic_before)})\s+(?:[\w'\u2019-]+\s+)?$"
            ),
            generic_subject=compile_phrases(lexicon.generic_subjects),
            age=re.compile(
                rf"(?<![\w.$])(?:(?P<old>{_NUMBER})[-\s]+(?:years?|yrs?|months?|mos?|weeks?)"
                r"[-\s]+old(?!\w)"
                rf"|(?P<young>{_NUMBER})\s+years?\s+young(?!\w)"
                r"|(?P<birthday>\d{1,3})(?:st|nd|rd|th)[-\s]+(?:birthday|bday|b-day)(?!\w)"
                rf"|(?:turns|turned|turning)\s+(?P<turns>{_NUMBER})(?![\w.,%]|\s*percent)"
                rf"|aged?\s*:?\s+(?P<aged>{_NUMBER})(?!\w|\s*(?:[-\u2013+&]|to\b|through\b"
                r"|thru\b|and\s+(?:up|over|older|under|younger|above|below)\b"
                r"|or\s+(?:older|younger|over|under|above|below)\b)))"
            ),
            practice=compile_phrases(lexicon.practice_subjects),
            staff=compile_phrases(lexicon.staff_titles),
            age_generic_before=frozenset(w.lower() for w in lexicon.age_generic_before),
            age_generic_groups=frozenset(w.lower() for w in lexicon.age_generic_groups),
        )


@dataclass(frozen=True, slots=True)
class When:
    """Finds the dates and ages of one text that belong to a person."""

    patterns: WhenPatterns
    people: People

    def ages(self, passage: Passage, personal: Collection[int]) -> list[Finding]:
        """Ages in the passage. A weak age ("a 6-year-old", "at age 12") counts only in a
        sentence whose start is in ``personal`` (one that ties a detail to someone)."""
        found = []
        lower = passage.lower
        for match in self.patterns.age.finditer(lower):
            group = str(match.lastgroup)
            start = match.start()
            sentence_start = passage.sentences.start_of(start)
            previous = _PREVIOUS_WORD.search(lower, max(sentence_start, start - 30), start)
            word = previous.group(1) if previous else ""
            if group == "old" and word in self.patterns.age_generic_before:
                continue
            if group == "aged" and word in self.patterns.age_generic_groups:
                continue
            if group in ("turns", "birthday") and self._about_the_practice(
                passage, max(sentence_start, start - 50), start
            ):
                continue
            weak = (group == "old" and word in ("a", "an")) or (
                group == "aged" and word in _PREPOSITIONS
            )
            if weak and sentence_start not in personal:
                continue
            value = _value(match.group(group))
            severity = Severity.HIGH if value > _OLDEST_UNIDENTIFYING_AGE else Severity.MEDIUM
            found.append(finding(Kind.AGE, start, match.end(), f"age_{group}", severity))
        return found + self._ages_by_names(passage)

    def _ages_by_names(self, passage: Passage) -> list[Finding]:
        """ "Mrs. Yang, 88, ...", "Mr. Thompson (72)", "Happy 90th, Grandma Rose!": the age and
        the name it belongs to."""
        found = []
        for pattern in (_APPOSITIVE, _HAPPY):
            for match in pattern.finditer(passage.text):
                age = int(match.group("age"))
                name = self.people.person(passage.text, *match.span("name"))
                if name is None or not 0 < age <= _OLDEST_AGE:
                    continue
                severity = Severity.HIGH if age > _OLDEST_UNIDENTIFYING_AGE else Severity.MEDIUM
                found.append(finding(Kind.NAME, *name, "with_age"))
                found.append(
                    finding(
                        Kind.AGE, match.start("age"), match.end("age"), "age_with_name", severity
                    )
                )
        return found

    def dates(self, passage: Passage, personal: Collection[int]) -> list[Finding]:
        """Dates in the passage that belong to a person; any date in a sentence whose start is
        in ``personal`` does."""
        found = []
        for match in self.patterns.date.finditer(passage.lower):
            start, end = match.span()
            rule = self._date_rule(passage, start, end)
            if rule is None and passage.sentences.start_of(start) in personal:
                rule = "person_context"
            if rule is not None:
                found.append(finding(Kind.DATE, start, end, rule))
        return found

    def _date_rule(self, passage: Passage, start: int, end: int) -> str | None:
        """Why the date ``text[start:end]`` is someone's: a person cue ("born", "DOB") near it
        or a visit cue ("appointment on", "was seen") right before it; else ``None``."""
        patterns, lower = self.patterns, passage.lower
        sentence_start, sentence_end = passage.sentences.around(start)
        lo = max(sentence_start, start - 40)
        cue = patterns.person_cue.search(lower, lo, min(sentence_end, end + 20))
        if cue is not None:
            if cue.group() not in _BIRTHDAY_CUES:
                return "person_date"
            general = patterns.generic_subject.search(lower, sentence_start, start)
            if not (general or self._about_the_practice(passage, sentence_start, sentence_end)):
                return "person_date"
        visit = patterns.visit_cue.search(lower, lo, start)
        if visit is not None:
            cue_start = visit.start()
            if not patterns.generic_before.search(
                lower, max(sentence_start, cue_start - 40), cue_start
            ):
                return "visit_date"
        return None

    def _about_the_practice(self, passage: Passage, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` is about the practice or its staff, not a patient."""
        staff = self.people.staff.keys
        return bool(
            self.patterns.practice.search(passage.lower, start, end)
            or self.patterns.staff.search(passage.lower, start, end)
            or (staff and any(key in staff for key in word_keys(passage.text[start:end])))
        )


def _value(number: str) -> int:
    """The value of a number in digits or words ("ninety-five" -> 95, "a hundred" -> 100)."""
    if number.isdigit():
        return int(number)
    total = 0
    for word in re.split(r"[-\s]+", number.lower()):
        if word == "hundred":
            total = max(total, 1) * 100
        else:
            total += _NUMBERS.get(word, 0)
    return total
