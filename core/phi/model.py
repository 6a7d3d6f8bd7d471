"""What the PHI check reports: a ``Finding`` per risky span of a post or a reply."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a finding discloses (the ``kind`` codes of ARCHITECTURE.md)."""

    NAME = "name"
    DATE = "date"
    AGE = "age"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"
    RECORD_NUMBER = "record_number"
    HEALTH_DETAIL = "health_detail"
    PATIENT_RELATIONSHIP = "patient_relationship"
    VISIT_DETAIL = "visit_detail"
    INSURANCE = "insurance"


class Severity(StrEnum):
    """``high``: an identifier or a health fact about someone; ``medium``: a risk worth a look."""

    HIGH = "high"
    MEDIUM = "medium"


class Audience(StrEnum):
    """Who the text is written to, which decides what "you" and "your" mean.

    ``POST``: everyone; "your root canal" is general education. ``REPLY``: one reviewer, so
    "your root canal" or "as your dentist" confirms that this person is a patient, and any
    health or insurance term is worth a look (it may echo what the reviewer disclosed).
    """

    POST = "post"
    REPLY = "reply"


# When findings overlap, the kind earlier in this order is kept: the most specific one.
SPECIFICITY: tuple[Kind, ...] = (
    Kind.RECORD_NUMBER,
    Kind.EMAIL,
    Kind.PHONE,
    Kind.ADDRESS,
    Kind.DATE,
    Kind.AGE,
    Kind.NAME,
    Kind.INSURANCE,
    Kind.HEALTH_DETAIL,
    Kind.VISIT_DETAIL,
    Kind.PATIENT_RELATIONSHIP,
)

MESSAGES: dict[Kind, tuple[str, str]] = {
    Kind.NAME: (
        "A person's name: a patient (or reviewer) can be identified by it.",
        "Remove the name, or get written consent and use the first name only.",
    ),
    Kind.DATE: (
        "A date tied to a person (a birthday, a visit or a treatment date).",
        'Leave the date out, or say it generally ("recently", "this spring").',
    ),
    Kind.AGE: (
        "A person's age.",
        "Leave the age out; ages over 89 identify a person on their own.",
    ),
    Kind.PHONE: (
        "A phone number that is not the practice's.",
        "Remove it; give only the office phone.",
    ),
    Kind.EMAIL: (
        "An e-mail address that is not the practice's.",
        "Remove it; give only the office e-mail.",
    ),
    Kind.ADDRESS: (
        "A street address.",
        "Remove the address, or add the practice's address to the allowed list.",
    ),
    Kind.RECORD_NUMBER: (
        "A record, chart, claim or account number.",
        "Remove the number: it is part of the patient's record.",
    ),
    Kind.HEALTH_DETAIL: (
        "A treatment, procedure or diagnosis tied to a person.",
        'Talk about the treatment in general ("Root canals are nothing to fear"), '
        "not about someone's.",
    ),
    Kind.PATIENT_RELATIONSHIP: (
        "Says that someone is a patient of the practice.",
        "Leave out who is a patient; talk about patients in general.",
    ),
    Kind.VISIT_DETAIL: (
        "Tells when or why someone visited.",
        "Leave out who came in and why; describe the service in general.",
    ),
    Kind.INSURANCE: (
        "Insurance or billing details of a person.",
        "Remove it; list the plans the practice accepts without tying them to anyone.",
    ),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One PHI risk in a text: ``text[start:end]`` is the risky part.

    ``kind`` is a ``Kind`` code (a plain ``str`` for scripts); ``rule`` names the rule that
    found it (``known_name``, ``honorific``, ``pronoun``, ...), for the override log and tests.
    ``message`` and ``suggestion`` are English fallbacks: the GUI words findings by ``kind``.
    """

    kind: str
    start: int
    end: int
    message: str
    suggestion: str
    severity: str = Severity.HIGH.value
    rule: str = ""


def finding(
    kind: Kind, start: int, end: int, rule: str, severity: Severity = Severity.HIGH
) -> Finding:
    """A finding of ``kind`` with that kind's English message and suggestion."""
    message, suggestion = MESSAGES[kind]
    return Finding(kind.value, start, end, message, suggestion, severity.value, rule)
