"""``scan_text``: every PHI risk in a post or a reply, as the composer checks it per keystroke."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from core.phi.context import ContextPatterns, Details
from core.phi.dates import When, WhenPatterns
from core.phi.lexicon import Lexicon, default_lexicon
from core.phi.merge import merge
from core.phi.model import Audience, Finding, Kind
from core.phi.names import NamePatterns, People, StaffNames, known_names
from core.phi.numbers import NumberPatterns, allowed_items, number_findings
from core.phi.text import Passage

# Findings that make their sentence about a person, so a date or a weak age in it is theirs.
_PERSONAL = frozenset(
    {
        Kind.NAME,
        Kind.HEALTH_DETAIL,
        Kind.VISIT_DETAIL,
        Kind.PATIENT_RELATIONSHIP,
        Kind.INSURANCE,
        Kind.AGE,
        Kind.RECORD_NUMBER,
    }
)
# Details that make "Thanks to <Name> for ..." in the same sentence about a patient.
_DETAILS = frozenset(
    {Kind.HEALTH_DETAIL, Kind.VISIT_DETAIL, Kind.PATIENT_RELATIONSHIP, Kind.INSURANCE, Kind.AGE}
)


@dataclass(frozen=True, slots=True, eq=False)
class PhiRules:
    """Every pattern of the PHI check, compiled from one ``Lexicon`` (see ``compile_rules``)."""

    lexicon: Lexicon
    names: NamePatterns
    context: ContextPatterns
    numbers: NumberPatterns
    when: WhenPatterns


def compile_rules(lexicon: Lexicon) -> PhiRules:
    """Compile the rules for ``lexicon`` (e.g. one loaded with ``load_lexicon`` from Settings)."""
    return PhiRules(
        lexicon,
        NamePatterns.build(lexicon),
        ContextPatterns.build(lexicon),
        NumberPatterns.build(lexicon),
        WhenPatterns.build(lexicon),
    )


@cache
def default_rules() -> PhiRules:
    """The rules for ``resources/phi``, compiled on first use and then kept."""
    return compile_rules(default_lexicon())


def scan_text(
    text: str,
    known_names: Iterable[str] = (),
    *,
    allowed: Iterable[str] = (),
    staff_names: Iterable[str] = (),
    audience: Audience | str = Audience.POST,
    rules: PhiRules | None = None,
) -> list[Finding]:
    """The PHI risks in ``text``, sorted by start and never overlapping.

    ``known_names``: every patient in the consent tracker and every reviewer's name; matched in
    full and as first + last name, whatever the case, accents or a possessive "'s".
    ``allowed``: the practice's own phone numbers, e-mail and street addresses, never flagged.
    ``staff_names``: staff are not patients; a cue such as "hygienist Jamie" or "Jamie's
    implant training" never flags their names. ``audience``: ``"post"`` (default) or
    ``"reply"`` (a reply to one reviewer, where "your treatment" is about that person).
    ``rules`` defaults to the word lists in ``resources/phi``.

    Pure and fast enough for every keystroke: each ``Finding`` has ``0 <= start < end <=
    len(text)``. Any string is accepted, lone surrogates and control characters included.
    """
    if not text or text.isspace():
        return []
    return list(
        _scan(
            text,
            known=_set(known_names),
            allowed=_set(allowed),
            staff_names=_set(staff_names),
            audience=Audience(audience),
            rules=rules or default_rules(),
        )
    )


@lru_cache(maxsize=32)
def _scan(
    text: str,
    *,
    known: frozenset[str],
    allowed: frozenset[str],
    staff_names: frozenset[str],
    audience: Audience,
    rules: PhiRules,
) -> tuple[Finding, ...]:
    passage = Passage(text)
    staff = _staff(staff_names)
    people = People(rules.names, staff)
    found: list[Finding] = []
    if known:
        found += known_names(known, rules.names.stopwords).find(text, staff)
    found += number_findings(passage, rules.numbers, allowed_items(allowed, rules.numbers))
    thanked = people.thanked(passage)
    found += Details(rules.context, people, audience).find(passage, thanked)
    when = When(rules.when, people)
    found += when.ages(passage, _sentences_with(found, passage, _PERSONAL))
    found += people.cue_findings(passage, thanked, _sentences_with(found, passage, _DETAILS))
    found += when.dates(passage, _sentences_with(found, passage, _PERSONAL))
    return tuple(merge(f for f in found if 0 <= f.start < f.end <= len(text)))


_last_set: tuple[object, frozenset[str]] | None = None
"""The last collection ``_set`` converted, and its set: the caller's list of known names
(100,000 name forms for 50,000 patients) is the same object keystroke after keystroke, and
building, hashing and comparing a new set of it each time would cost more than the scan."""


def _set(items: Iterable[str]) -> frozenset[str]:
    """``items`` as a set; one string is one item, not a set of letters. Pass the same tuple
    or frozenset again (not a copy) and it is not converted again."""
    global _last_set  # noqa: PLW0603 (a one-entry memo; replacing the tuple is atomic)
    if isinstance(items, frozenset):
        return items
    if isinstance(items, str):
        return frozenset((items,))
    last = _last_set
    if last is not None and last[0] is items:
        return last[1]
    result = frozenset(items)
    if isinstance(items, tuple) and len(result) > 64:
        _last_set = (items, result)
    return result


@lru_cache(maxsize=8)
def _staff(names: frozenset[str]) -> StaffNames:
    return StaffNames.of(names)


def _sentences_with(
    found: Iterable[Finding], passage: Passage, kinds: frozenset[Kind]
) -> frozenset[int]:
    """The starts of the sentences holding a finding of one of ``kinds``."""
    return frozenset(passage.sentences.start_of(f.start) for f in found if f.kind in kinds)
