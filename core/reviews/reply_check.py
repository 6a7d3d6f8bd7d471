"""``check_reply``: the HIPAA risks in a reply to a public review (ARCHITECTURE.md, public API).

A practice may not confirm or deny that a reviewer is (or was) a patient, nor mention visits,
treatment, diagnoses, dates, insurance, billing or names, even when the reviewer disclosed them
first (DOMAIN.md: four practices paid HHS OCR $10,000–$50,000 for such replies). The check is
the PHI scanner (``core.phi.scan_text`` with ``audience="reply"``: "your crown" is about the
reviewer) plus reply-only rules kept as editable configuration in
``resources/phi/replies.json``:

- phrases that confirm or deny a patient relationship, tell what the reviewer did at a visit,
  or state billing and insurance facts ("we checked your records", "you canceled twice",
  "your balance");
- the reviewer's own name (any part of it), and a name greeted in the reply ("Hi Robert")
  when the reviewer wrote under a moniker;
- health, insurance and visit terms the reviewer disclosed in ``review_text`` and the reply
  repeats ("echo"), always a high-severity finding;
- the office's own phone number or e-mail after "call us at" stays clean, unless the reviewer
  wrote the same number.

Pure and Qt-free; fast enough for every keystroke (the PHI scanner caches its last results).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from core.errors import ValidationError
from core.phi import Finding, Kind, Severity, default_lexicon, scan_text
from core.phi.lexicon import Lexicon, compile_phrases, phrase_pattern
from core.phi.merge import merge
from core.phi.model import finding
from core.phi.names import StaffNames, known_names
from core.phi.text import WORD, Passage, lowered, name_key, token

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "resources" / "phi" / "replies.json"

_PHRASE_KEYS = ("relationship_phrases", "visit_phrases", "billing_phrases", "health_phrases")
_LIST_KEYS = (*_PHRASE_KEYS, "echo_terms", "contact_cues", "salutations", "salutation_not_names")
_PHRASE_KINDS = {
    "relationship_phrases": Kind.PATIENT_RELATIONSHIP,
    "visit_phrases": Kind.VISIT_DETAIL,
    "billing_phrases": Kind.INSURANCE,
    "health_phrases": Kind.HEALTH_DETAIL,
}
_REWRITE_KEYS = frozenset({*(k.value for k in Kind), "other", "offline"})
_CONTACT_KINDS = frozenset({Kind.PHONE.value, Kind.EMAIL.value})
_CONTACT_LOOK_BACK = 40
_DIGITS = re.compile(r"\D+")
_MIN_NAME_PART = 3
_MAX_TEXT = 20_000
"""Longer replies are checked only up to here (no review site takes a reply that long)."""


@dataclass(frozen=True, slots=True, eq=False)
class ReplyRules:
    """The reply-only rules of ``resources/phi/replies.json``, compiled (see the file's
    ``_about``)."""

    phrases: tuple[tuple[Kind, re.Pattern[str]], ...]
    contact_cue: re.Pattern[str]
    salutation: re.Pattern[str]
    not_names: frozenset[str]
    suggestions: Mapping[str, str]
    rewrites: Mapping[str, tuple[str, ...]]
    echo_terms: tuple[str, ...] = ()


def load_reply_rules(path: Path | None = None) -> ReplyRules:
    """Read and compile ``path`` (default ``resources/phi/replies.json``); ``ValidationError``
    naming the broken key otherwise."""
    import json

    where = "replies"
    file = path or DEFAULT_PATH
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValidationError(f"cannot read {file}: {error}", field=where) from error
    return reply_rules_from(document)


def reply_rules_from(document: Any) -> ReplyRules:
    """Compile rules from a mapping shaped like ``replies.json``."""
    if not isinstance(document, Mapping):
        raise ValidationError("replies.json must hold a JSON object", field="replies")
    unknown = {k for k in document if not k.startswith("_")} - {
        *_LIST_KEYS,
        "suggestions",
        "rewrites",
    }
    if unknown:
        raise ValidationError(f"replies: unknown key(s) {sorted(unknown)}", field=min(unknown))
    lists = {key: _texts(document.get(key), f"replies.{key}") for key in _LIST_KEYS}
    suggestions = _mapping(document.get("suggestions"), "replies.suggestions")
    for key, value in suggestions.items():
        if key not in {k.value for k in Kind}:
            raise ValidationError(f"replies.suggestions: unknown kind {key}", field=key)
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"replies.suggestions.{key} must be text", field=key)
    rewrites_in = _mapping(document.get("rewrites"), "replies.rewrites")
    rewrites: dict[str, tuple[str, ...]] = {}
    for key, value in rewrites_in.items():
        if key not in _REWRITE_KEYS:
            raise ValidationError(f"replies.rewrites: unknown kind {key}", field=key)
        rewrites[key] = _texts(value, f"replies.rewrites.{key}")
    if "offline" not in rewrites:
        raise ValidationError("replies.rewrites needs an 'offline' sentence", field="offline")
    return ReplyRules(
        phrases=tuple((_PHRASE_KINDS[key], compile_phrases(lists[key])) for key in _PHRASE_KEYS),
        contact_cue=re.compile(
            rf"(?<!\w)(?:{phrase_pattern(lists['contact_cues'])})\s*(?:us\s*)?[:\-]?\s*$"
        ),
        salutation=re.compile(
            rf"(?:^|(?<=[\s,.!?;:(\"]))(?i:{phrase_pattern(lists['salutations'])}),?\s+"
            r"(?P<name>[^\W\d_][\w'\u2019-]*)",
        ),
        not_names=frozenset(name_key(w) for w in lists["salutation_not_names"]),
        suggestions=dict(suggestions),
        rewrites=rewrites,
        echo_terms=lists["echo_terms"],
    )


@cache
def default_reply_rules() -> ReplyRules:
    """The rules in ``resources/phi/replies.json``, read on first use and then kept."""
    return load_reply_rules()


def check_reply(
    reply: str,
    *,
    review_text: str = "",
    reviewer_name: str = "",
    known_names: Iterable[str] = (),
) -> list[Finding]:
    """The HIPAA risks in ``reply`` to a public review; ``[]`` means no risk was found.

    ``review_text``: what the reviewer wrote (health details they disclosed must not be
    echoed); ``reviewer_name``: the name or moniker they posted under; ``known_names``: every
    patient's name (``ConsentService.known_names``). Findings are ``core.phi.Finding`` objects,
    sorted and never overlapping, ``0 <= start < end <= len(reply)``; ``kind`` is one of
    ``core.phi.Kind`` (``patient_relationship``, ``visit_detail``, ``health_detail``,
    ``insurance``, ``name``, ``date``…) and ``suggestion`` says how to say it safely.
    Any string is accepted.
    """
    if not reply or reply.isspace():
        return []
    text = reply[:_MAX_TEXT]
    base = scan_text(text, known_names, audience="reply")
    return list(_check(text, review_text[:_MAX_TEXT], reviewer_name.strip()[:200], tuple(base)))


def safe_rewrites(findings: Iterable[Finding], rules: ReplyRules | None = None) -> list[str]:
    """Safe sentences to use instead of the flagged ones: one set per kind found (in the
    order of the findings), then always the invitation to talk offline. ``[]`` for no
    findings."""
    rules = rules or default_reply_rules()
    kinds = list(dict.fromkeys(f.kind for f in findings))
    if not kinds:
        return []
    sentences: list[str] = []
    for kind in kinds:
        sentences += rules.rewrites.get(kind, rules.rewrites.get("other", ()))
    sentences += rules.rewrites["offline"]
    return list(dict.fromkeys(sentences))


@lru_cache(maxsize=16)
def _check(
    text: str, review_text: str, reviewer_name: str, base: tuple[Finding, ...]
) -> tuple[Finding, ...]:
    rules = default_reply_rules()
    lexicon = default_lexicon()
    passage = Passage(text)
    found = [f for f in base if not _practice_contact(f, passage, review_text, rules)]
    for kind, pattern in rules.phrases:
        found += [finding(kind, *m.span(), "reply_phrase") for m in pattern.finditer(passage.lower)]
    found += _reviewer_names(text, reviewer_name, lexicon)
    found += _greeted_names(text, reviewer_name, rules, lexicon)
    found += _echoes(passage, review_text, _echo_patterns(lexicon, rules.echo_terms))
    kept = merge(f for f in found if 0 <= f.start < f.end <= len(text))
    return tuple(
        replace(f, suggestion=rules.suggestions[f.kind]) if f.kind in rules.suggestions else f
        for f in kept
    )


def _practice_contact(item: Finding, passage: Passage, review_text: str, rules: ReplyRules) -> bool:
    """A phone number or e-mail right after "call us at", "e-mail our manager at"…: the
    office's own, unless the reviewer wrote the same one."""
    if item.kind not in _CONTACT_KINDS:
        return False
    value = passage.text[item.start : item.end]
    if item.kind == Kind.PHONE.value:
        digits = _DIGITS.sub("", value)
        if digits and digits[-7:] in _DIGITS.sub("", review_text):
            return False
    elif value.lower() in review_text.lower():
        return False
    start = max(passage.sentences.start_of(item.start), item.start - _CONTACT_LOOK_BACK)
    before = passage.lower[start : item.start]
    if "your" in before.split():
        return False
    return rules.contact_cue.search(before) is not None


def _stopwords(lexicon: Lexicon) -> frozenset[str]:
    return _stopword_keys(lexicon.name_stopwords)


@lru_cache(maxsize=4)
def _stopword_keys(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name_key(w) for w in words)


def _name_parts(name: str, lexicon: Lexicon) -> frozenset[str]:
    stop = _stopwords(lexicon)
    return frozenset(
        key
        for key in (name_key(m.group()) for m in WORD.finditer(name))
        if len(key) >= _MIN_NAME_PART and key not in stop and not key.isdigit()
    )


def _reviewer_names(text: str, reviewer: str, lexicon: Lexicon) -> list[Finding]:
    """The reviewer's name, whole or any part of it ("Thanks, Maria", "Mrs. Lopez")."""
    if not reviewer:
        return []
    found = known_names(frozenset((reviewer,)), _stopwords(lexicon)).find(
        text, StaffNames.of(frozenset())
    )
    parts = _name_parts(reviewer, lexicon)
    for match in WORD.finditer(text):
        start, end, key, capital = token(match)
        if capital and key in parts:
            found.append(finding(Kind.NAME, start, end, "reviewer"))
    return [replace(f, severity=Severity.HIGH.value, rule="reviewer") for f in found]


def _greeted_names(text: str, reviewer: str, rules: ReplyRules, lexicon: Lexicon) -> list[Finding]:
    """A capitalised name after a greeting ("Hi Robert,", "Thank you, Mrs. Diaz"): a real
    name when the reviewer wrote under a moniker; medium severity when it is not the
    reviewer's (it may be a staff member's)."""
    found: list[Finding] = []
    stop = _stopwords(lexicon)
    parts = _name_parts(reviewer, lexicon)
    honorifics = {name_key(h) for h in lexicon.honorifics}
    for match in rules.salutation.finditer(text):
        start, end = match.span("name")
        word = text[start:end]
        key = name_key(word)
        if key in honorifics:  # "Dear Mrs. Diaz": the name is the word after the title
            following = WORD.search(text, end)
            if following is None or following.start() - end > 3:
                continue
            start, end = following.span()
            word, key = following.group(), name_key(following.group())
        if not word[:1].isupper() or key in stop or key in rules.not_names or key in parts:
            continue
        # Not the name they posted under: the real name behind a moniker, or someone else's.
        severity = Severity.HIGH if reviewer else Severity.MEDIUM
        found.append(finding(Kind.NAME, start, end, "greeting", severity))
    return found


_ECHO_KINDS = (
    ("procedures", Kind.HEALTH_DETAIL),
    ("conditions", Kind.HEALTH_DETAIL),
    ("medications", Kind.HEALTH_DETAIL),
    ("carriers", Kind.INSURANCE),
    ("terms", Kind.INSURANCE),
    ("visit_nouns", Kind.VISIT_DETAIL),
)


@lru_cache(maxsize=4)
def _echo_patterns(
    lexicon: Lexicon, extra: tuple[str, ...]
) -> tuple[tuple[Kind, re.Pattern[str]], ...]:
    lists = [(kind, tuple(getattr(lexicon, key))) for key, kind in _ECHO_KINDS]
    lists.append((Kind.HEALTH_DETAIL, extra))
    return tuple(
        (kind, re.compile(rf"(?<!\w)(?:{phrase_pattern(words)})(?:e?s)?(?!\w)"))
        for kind, words in lists
        if words
    )


def _echoes(
    passage: Passage, review_text: str, patterns: tuple[tuple[Kind, re.Pattern[str]], ...]
) -> list[Finding]:
    """Health, insurance and visit terms the reviewer wrote that the reply repeats."""
    if not review_text.strip():
        return []
    review = lowered(review_text)
    found: list[Finding] = []
    for kind, pattern in patterns:
        disclosed = {_stem(m.group()) for m in pattern.finditer(review)}
        if not disclosed:
            continue
        found += [
            finding(kind, *m.span(), "echo")
            for m in pattern.finditer(passage.lower)
            if _stem(m.group()) in disclosed
        ]
    return found


def _stem(term: str) -> str:
    words = " ".join(term.split())
    return words[:-1] if words.endswith("s") and len(words) > 3 else words


def _texts(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError(f"{where} must be a list of non-empty texts", field=where)
    items: Sequence[str] = value
    return tuple(v.strip() for v in items)


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{where} must be a JSON object", field=where)
    return value
