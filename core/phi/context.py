"""Health, visit and insurance details, and whether they are tied to a person.

A treatment, diagnosis, visit or insurance term is only a risk when it belongs to someone:
"her root canal", "Tom's implant", "our patient with braces", "she was diagnosed with diabetes",
"a Medicaid patient". The same words in general education ("Root canals are nothing to fear")
pass clean. "her"/"his" after a generic subject ("Every child should see a dentist before his
first birthday") and a term that names a skill ("his implant certification") are not ties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from core.phi.lexicon import Lexicon, compile_phrases, phrase_pattern, relationship_pattern
from core.phi.model import Audience, Finding, Kind, Severity, finding
from core.phi.names import People
from core.phi.text import NAME, WINDOW, Passage

_KINDS = {"health": Kind.HEALTH_DETAIL, "insurance": Kind.INSURANCE, "visit": Kind.VISIT_DETAIL}
_ADVERBS = r"(?i:just|recently|finally|also|now|never|already|proudly|bravely|successfully)"
_WORDS = re.compile(r"[\w'\u2019-]+")
_LOOK_BACK = 100
_THANKS_GAP = 3
_DETERMINERS = frozenset({"our", "the", "your", "a", "an", "this", "that", "every", "all", "any"})
_ANCHORS = ("pronoun", "contraction", "owner", "whose", "subject", "named", "object", "you")


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed by identity
class ContextPatterns:
    """Compiled patterns for terms, the anchors that tie them to a person, and phrases.

    Phrase patterns (``re``) are searched in the lowered text; ``anchor`` and
    ``arrival_person`` (``regex``, case-sensitive names) run in reverse over the words just
    before a term or a visit phrase.
    """

    terms: re.Pattern[str]
    anchor: regex.Pattern[str]
    generic: re.Pattern[str]
    member_after: re.Pattern[str]
    relationship: re.Pattern[str]
    reply: re.Pattern[str]
    visit_phrase: re.Pattern[str]
    arrival: re.Pattern[str]
    arrival_person: regex.Pattern[str]
    expertise: frozenset[str]

    @classmethod
    def build(cls, lexicon: Lexicon) -> ContextPatterns:
        """Compile the patterns from ``lexicon``."""
        health = phrase_pattern(lexicon.procedures + lexicon.conditions + lexicon.medications)
        insurance = phrase_pattern(lexicon.carriers + lexicon.terms)
        visit = phrase_pattern(lexicon.visit_nouns)
        subject_verbs = phrase_pattern(lexicon.subject_verbs)
        object_verbs = phrase_pattern(lexicon.object_verbs)
        followers = phrase_pattern(lexicon.visit_followers)
        days = phrase_pattern(lexicon.relative_days)
        people = phrase_pattern(lexicon.person_nouns)
        return cls(
            terms=re.compile(
                rf"(?<!\w)(?:(?P<health>{health})|(?P<insurance>{insurance})|(?P<visit>{visit}))"
                r"(?:e?s)?(?!\w)"
            ),
            anchor=regex.compile(
                r"(?r)(?:(?P<pronoun>(?<![\w/])(?i:her|his))"
                r"|(?P<contraction>(?<!\w)(?i:he|she)['\u2019]s)"
                rf"|(?P<owner>{NAME})['\u2019]s"
                rf"|(?P<whose>{NAME}),?\s+(?i:whose)"
                rf"|(?:(?P<subject>(?<!\w)(?i:{people}))|(?P<named>{NAME}))\s+(?:{_ADVERBS}\s+)?"
                rf"(?i:{subject_verbs})"
                rf"|(?P<object>(?<!\w)(?i:{object_verbs})\s+(?i:her|him))"
                r"|(?P<you>(?<![\w/])(?i:your|you)))"
                rf"\s+(?P<window>{WINDOW})$"
            ),
            generic=compile_phrases(lexicon.generic_subjects),
            member_after=re.compile(rf"\s+(?:{phrase_pattern(lexicon.member_nouns)})(?!\w)"),
            relationship=relationship_pattern(lexicon),
            reply=compile_phrases(lexicon.reply_phrases),
            visit_phrase=re.compile(
                rf"(?<!\w)(?:(?:{phrase_pattern(lexicon.visit_phrases)})"
                rf"(?=\s+(?:{followers})(?!\w))"
                rf"|(?:{phrase_pattern(lexicon.chair_phrases)})(?=\s+(?:{days})(?!\w)))"
            ),
            arrival=compile_phrases(lexicon.arrival_phrases),
            arrival_person=regex.compile(
                rf"(?r)(?:(?<!\w)(?i:{people})|(?P<named>{NAME}))"
                rf"\s+(?:{_ADVERBS}\s+)?$"
            ),
            expertise=frozenset(word.lower() for word in lexicon.expertise_words),
        )


@dataclass(frozen=True, slots=True)
class Details:
    """Finds the health, visit, insurance and patient-relationship details of one text."""

    patterns: ContextPatterns
    people: People
    audience: Audience = Audience.POST

    def find(self, passage: Passage, thanked: list[tuple[int, int]]) -> list[Finding]:
        """Every detail in the passage, with the names of the people they are tied to;
        ``thanked`` are the names after "thanks to", "congrats to" (``People.thanked``)."""
        found = self._phrases(passage)
        relationships = [f.start for f in found if f.kind == Kind.PATIENT_RELATIONSHIP]
        addressed = self.people.addressed(passage)
        for match in self.patterns.terms.finditer(passage.lower):
            kind = _KINDS[str(match.lastgroup)]
            start, end = match.span()
            after = _WORDS.findall(passage.lower, end, min(len(passage.lower), end + 30))[:2]
            if self.patterns.expertise.intersection(after):
                continue  # a skill or a service: "her implant certification", "implant patients"
            tie = self._tie(passage, start, end, relationships, addressed) or self._thanks_tie(
                passage, start, thanked
            )
            if tie is not None:
                rule, name = tie
                found.append(finding(kind, start, end, rule))
                if name is not None:
                    found.append(finding(Kind.NAME, *name, rule))
            elif self.audience is Audience.REPLY and kind is not Kind.VISIT_DETAIL:
                found.append(finding(kind, start, end, "reply_mention", Severity.MEDIUM))
        return found

    def _thanks_tie(
        self, passage: Passage, start: int, thanked: list[tuple[int, int]]
    ) -> tuple[str, tuple[int, int] | None] | None:
        """ "Congrats to Liam on finishing chemo": a thanked name shortly before the term."""
        sentence_start = passage.sentences.start_of(start)
        for name_start, name_end in thanked:
            if not sentence_start <= name_start < start:
                continue
            between = _WORDS.findall(passage.lower, name_end, start)
            if len(between) <= _THANKS_GAP and not self._impersonal(between):
                return "thanks", (name_start, name_end)
        return None

    def _impersonal(self, words: list[str]) -> bool:
        """Whether words between a person and a term make it about something else: a skill
        ("his implant training") or a thing ("for supporting our cancer screening")."""
        return bool(self.patterns.expertise.intersection(words) or _DETERMINERS.intersection(words))

    def _phrases(self, passage: Passage) -> list[Finding]:
        patterns, text, lower = self.patterns, passage.text, passage.lower
        found = [
            finding(Kind.PATIENT_RELATIONSHIP, *m.span(), "relationship", Severity.MEDIUM)
            for m in patterns.relationship.finditer(lower)
        ]
        if self.audience is Audience.REPLY:
            found += [
                finding(Kind.PATIENT_RELATIONSHIP, *m.span(), "reply_relationship")
                for m in patterns.reply.finditer(lower)
            ]
        found += [
            finding(Kind.VISIT_DETAIL, *m.span(), "visit_phrase", Severity.MEDIUM)
            for m in patterns.visit_phrase.finditer(lower)
        ]
        for match in patterns.arrival.finditer(lower):
            start = match.start()
            lo = max(passage.sentences.start_of(start), start - 60)
            person = patterns.arrival_person.search(text, lo, start)
            if person is None:
                continue
            if person.group("named") is not None:
                name = self.people.person(text, *person.span("named"))
                if name is None:
                    continue
                found.append(finding(Kind.NAME, *name, "arrival"))
            found.append(finding(Kind.VISIT_DETAIL, *match.span(), "arrival", Severity.MEDIUM))
        return found

    def _tie(
        self,
        passage: Passage,
        start: int,
        end: int,
        relationships: list[int],
        addressed: list[tuple[int, int]],
    ) -> tuple[str, tuple[int, int] | None] | None:
        """How the term ``text[start:end]`` is tied to a person: the rule and the span of the
        person's name when the tie names them; ``None`` when it is not tied to anyone.

        "your" ties a term to the reader only in a reply, or in a post that speaks to someone
        by name ("Sorry Mark, your crown is delayed").
        """
        text, lower = passage.text, passage.lower
        sentence_start = passage.sentences.start_of(start)
        if any(sentence_start <= position < start for position in relationships):
            return "patient", None
        if self.patterns.member_after.match(lower, end):
            return "member", None
        anchor = self.patterns.anchor.search(text, max(sentence_start, start - _LOOK_BACK), start)
        if anchor is None:
            return None
        window = _WORDS.findall(anchor.group("window").lower())
        if self.patterns.expertise.intersection(window):
            return None
        rule = next(name for name in _ANCHORS if anchor.group(name) is not None)
        if rule == "you" and self.audience is not Audience.REPLY:
            spoken_to = [name for name in addressed if sentence_start <= name[0] < start]
            return ("addressed", spoken_to[-1]) if spoken_to else None
        if rule in ("pronoun", "subject", "contraction") and self.patterns.generic.search(
            lower, sentence_start, start
        ):
            return None
        if rule in ("owner", "whose", "named"):
            name = self.people.person(text, *anchor.span(rule))
            return None if name is None else ("person", name)
        return rule, None
