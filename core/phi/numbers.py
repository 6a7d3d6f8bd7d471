"""Identifiers that are numbers or addresses: phone, e-mail, street address, record numbers.

Phone numbers are what ``phonenumbers`` calls a valid number as dialled in the US, looked for
only around runs of digits (the matcher is slow on long prose). The practice's own phone,
e-mail and address can be passed as ``allowed`` and are never flagged; neither is an address
right after "Join us at" or "We've moved to" (a public place or the practice itself).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
import regex

from core.phi.lexicon import Lexicon, compile_phrases, phrase_pattern
from core.phi.model import Finding, Kind, finding
from core.phi.text import Passage, word_keys

_PHONE_REGION = "US"
_PHONE_RUN = regex.compile(r"[+(]?\d[\d\s().\-\u2010-\u2015/]{5,}\d(?:\s*(?:x|ext\.?)\s*\d+)?")
_DIGITS = regex.compile(r"\d")
_NUMBER_GAP = regex.compile(r"(?<=\d)\s+(?=[+(]?\d)")
_LONGEST = 30  # no phone number is longer, separators included
_PHONE_DIGITS = 7  # the shortest number worth asking phonenumbers about
_EMAIL = regex.compile(
    r"(?<![\w.@+\-])[\w+\-](?:[\w.+\-]*[\w+\-])?@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}(?![\w@])"
)
_LOCAL_PART = regex.compile(r"(?r)[\w.+\-]+$")
_SSN = regex.compile(r"(?<![\d\-])\d{3}-\d{2}-\d{4}(?![\d\-])")
_PO_BOX = regex.compile(r"(?<!\w)P\.?\s?O\.?\s+Box\s+\d+", regex.IGNORECASE)
_MIN_RECORD_DIGITS = 3
_LONGEST_ABBREVIATION = 5  # "Blvd." and "Pkwy." keep their dot


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed by identity
class NumberPatterns:
    """Compiled patterns for record numbers and street addresses."""

    record: re.Pattern[str]
    address: regex.Pattern[str]
    public_before: re.Pattern[str]
    not_street: frozenset[str]

    @classmethod
    def build(cls, lexicon: Lexicon) -> NumberPatterns:
        """Compile the patterns from ``lexicon``."""
        strong = phrase_pattern(lexicon.strong_labels)
        marked = phrase_pattern(lexicon.marked_labels)
        markers = phrase_pattern(lexicon.markers)
        suffixes = phrase_pattern([s for s in lexicon.street_suffixes if s != "dr"])
        street_word = r"(?:\p{Lu}[\p{L}\p{M}'\u2019.\-]*|\d{1,3}(?:st|nd|rd|th))"
        return cls(
            record=re.compile(
                rf"(?<!\w)(?:(?:{strong})(?:\s*(?:{markers}))?|(?:{marked})\s*(?:{markers}))"
                r"\.?\s*[:#]?\s*(?P<number>(?:[a-z]{1,3}-?)?\d(?:[\d\-]*\d)?)(?![\w\-])"
            ),
            address=regex.compile(
                r"(?<![\w#$.,/\-])\d{1,6}(?:-\d{1,4})?(?:[A-JL-Za-jl-z](?!\w))?\s+"
                rf"(?:(?i:{phrase_pattern(lexicon.directionals)})\.?\s+)?"
                rf"(?P<street>(?:{street_word}\s+){{1,3}})"
                rf"(?i:(?:{suffixes})(?!\w)\.?|dr(?!\w)\.?(?!\s+\p{{Lu}}))"
                rf"(?:,?\s+(?i:{phrase_pattern(lexicon.units)})\.?\s*\#?\s*[\w\-]+)?"
            ),
            public_before=compile_phrases(lexicon.public_cues),
            not_street=frozenset(word.lower() for word in lexicon.not_street_words),
        )


@dataclass(frozen=True, slots=True)
class Allowed:
    """The practice's own contact details, which are never flagged."""

    phones: frozenset[tuple[int, int]] = frozenset()
    emails: frozenset[str] = frozenset()
    addresses: frozenset[tuple[str, ...]] = frozenset()


@lru_cache(maxsize=8)
def allowed_items(items: frozenset[str], patterns: NumberPatterns) -> Allowed:
    """Sort ``items`` (phone numbers, e-mail addresses, street addresses) into ``Allowed``."""
    phones: set[tuple[int, int]] = set()
    emails: set[str] = set()
    addresses: set[tuple[str, ...]] = set()
    for item in items:
        emails.update(item[start:end].casefold() for start, end in _emails(item))
        addresses.update(_address_key(match.group()) for match in patterns.address.finditer(item))
        phones.update(_phone_key(number.number) for number in _phones(item))
    return Allowed(frozenset(phones), frozenset(emails), frozenset(addresses))


def number_findings(passage: Passage, patterns: NumberPatterns, allowed: Allowed) -> list[Finding]:
    """Phone numbers, e-mail addresses, street addresses and record numbers in the passage."""
    text = passage.text
    found = [
        finding(Kind.PHONE, match.start, match.end, "phone")
        for match in _phones(text)
        if _phone_key(match.number) not in allowed.phones
    ]
    found += [
        finding(Kind.EMAIL, start, end, "email")
        for start, end in _emails(text)
        if text[start:end].casefold() not in allowed.emails
    ]
    for match in patterns.record.finditer(passage.lower):
        if len(_DIGITS.findall(match.group("number"))) >= _MIN_RECORD_DIGITS:
            found.append(finding(Kind.RECORD_NUMBER, *match.span(), "record_label"))
    found += [finding(Kind.RECORD_NUMBER, m.start(), m.end(), "ssn") for m in _SSN.finditer(text)]
    for match in [*patterns.address.finditer(text), *_PO_BOX.finditer(text)]:
        start = match.start()
        if match.re is patterns.address and patterns.not_street.intersection(
            word_keys(match.group("street"))
        ):
            continue
        if _address_key(match.group()) in allowed.addresses:
            continue
        if patterns.public_before.search(passage.lower, passage.sentences.start_of(start), start):
            continue
        end = match.end()
        last = text[start:end].split()[-1]
        if last.endswith(".") and len(last) > _LONGEST_ABBREVIATION:
            end -= 1  # "22 Elm Street." ends a sentence; "22 Elm St." is abbreviated
        found.append(finding(Kind.ADDRESS, start, end, "address"))
    return found


def _emails(text: str) -> list[tuple[int, int]]:
    """The spans of the e-mail addresses in ``text``, looked for only around each "@"."""
    spans: set[tuple[int, int]] = set()
    at = text.find("@")
    while at >= 0:
        local = _LOCAL_PART.search(text, max(0, at - 64), at)
        match = local and _EMAIL.match(text, local.start(), at + 256)
        if match:
            spans.add(match.span())
        at = text.find("@", at + 1)
    return sorted(spans)


@dataclass(frozen=True, slots=True)
class _PhoneMatch:
    start: int
    end: int
    number: phonenumbers.PhoneNumber


def _phones(text: str) -> list[_PhoneMatch]:
    """Valid phone numbers, looked for only in runs of digits and separators."""
    found = []
    for run in _PHONE_RUN.finditer(text):
        for piece_start, piece_end in _pieces(run.group()):
            window_start = max(0, run.start() + piece_start - 1)
            window = text[window_start : run.start() + piece_end + 1]
            for start, end, number in _phones_in(window):
                found.append(_PhoneMatch(window_start + start, window_start + end, number))
    return found


def _pieces(run: str) -> list[tuple[int, int]]:
    """``run`` cut where one phone number ends and the next begins: at a space after a group of
    four digits, when both sides hold at least seven digits ("415-555-2671 312-555-7781"; but
    "+44 20 7946 0958" stays whole), and at any space past the length of a phone number. The
    matcher misses numbers in such a list otherwise, and is slow on long runs."""
    digits = [match.start() for match in _DIGITS.finditer(run)]
    pieces = []
    start = 0
    for gap in _NUMBER_GAP.finditer(run):
        left = bisect_left(digits, gap.start()) - bisect_left(digits, start)
        right = len(digits) - bisect_left(digits, gap.end())
        after_group = run[max(0, gap.start() - 4) : gap.start()].isdigit()
        if (after_group and left >= _PHONE_DIGITS <= right) or gap.start() - start > _LONGEST:
            pieces.append((start, gap.start()))
            start = gap.end()
    pieces.append((start, len(run)))
    return pieces


@lru_cache(maxsize=256)
def _phones_in(window: str) -> tuple[tuple[int, int, phonenumbers.PhoneNumber], ...]:
    """The phone numbers in one run of digits (kept: the same numbers come back each keystroke)."""
    if len(_DIGITS.findall(window)) < _PHONE_DIGITS:
        return ()
    return tuple(
        (match.start, match.start + len(match.raw_string), match.number)
        for match in phonenumbers.PhoneNumberMatcher(
            window, _PHONE_REGION, leniency=phonenumbers.Leniency.VALID
        )
    )


def _phone_key(number: phonenumbers.PhoneNumber) -> tuple[int, int]:
    return number.country_code or 0, number.national_number or 0


def _address_key(address: str) -> tuple[str, ...]:
    """The house number and first street word: "1420 Maple Avenue" ~ "1420 maple ave"."""
    return tuple(word_keys(address)[:2])
