"""``core.reviews.check_reply``: replies to public reviews, both directions.

The four HHS OCR cases of DOMAIN.md (paraphrased) must be flagged; so must every way of
confirming or denying that the reviewer is a patient, of describing a visit, treatment,
insurance or bill, of naming the reviewer, and of echoing what they disclosed. Safe, general
replies that take the conversation offline must pass clean.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ValidationError
from core.reviews import check_reply
from core.reviews.reply_check import reply_rules_from, safe_rewrites

KNOWN = ("Maria Lopez", "Thomas Reed", "Aisha Khan")

# (reviewer name, review text, reply, a kind that must be found)
OCR_CASES = [
    pytest.param(
        "R. Alvarez",
        "Overcharged and the work was sloppy. Never going back.",
        "Mr. Alvarez, your treatment plan called for two crowns. Your Cigna insurance covered "
        "only part of it, so the $1,100 you were charged is correct.",
        "insurance",
        id="elite_dental_yelp_last_name_plan_insurance_cost",
    ),
    pytest.param(
        "Dana Whitfield",
        "They rushed me and my tooth still hurts.",
        "Dana Whitfield came to us with severe tooth pain and swelling; we performed an "
        "extraction and prescribed antibiotics.",
        "name",
        id="igbinadolor_google_named_symptoms_treatment",
    ),
    pytest.param(
        "Kevin P.",
        "Terrible front desk.",
        "Kevin Park, you were seen on June 3 for a cleaning and your Delta Dental plan was "
        "billed as usual.",
        "date",
        id="new_vision_yelp_full_name_visit_insurance",
    ),
    pytest.param(
        "anon123",
        "This clinic does not care about people.",
        "We are sorry you feel this way. Our records show we treated your depression and "
        "anxiety for over a year.",
        "health_detail",
        id="manasa_google_diagnosis_mental_health",
    ),
]


@pytest.mark.parametrize(("reviewer", "review", "reply", "kind"), OCR_CASES)
def test_ocr_cases_are_flagged(reviewer: str, review: str, reply: str, kind: str) -> None:
    findings = check_reply(reply, review_text=review, reviewer_name=reviewer, known_names=KNOWN)
    assert kind in {f.kind for f in findings}, findings
    assert all(f.suggestion for f in findings)


# (reply, the flagged text, its kind); reviewer "Jordan Miles", review REVIEW.
REVIEW = (
    "I came in for a root canal and the numbing wore off. My Aetna claim was denied and now "
    "I owe $400. Also my anxiety was through the roof."
)
UNSAFE = [
    ("As your dentist, I want you to know we care.", "As your dentist", "patient_relationship"),
    ("Our records show you were here in March.", "Our records show", "patient_relationship"),
    ("You were never our patient, so this review is fake.", "never our patient", None),
    ("We have no record of you ever visiting.", "We have no record of you", None),
    ("When you came in, the doctor explained everything.", "When you came in", None),
    ("We remember you well and are sorry.", "We remember you", "patient_relationship"),
    ("We checked your chart and everything was done right.", "your chart", None),
    ("We look forward to seeing you again soon!", "seeing you again", "patient_relationship"),
    ("Welcome back anytime, we love having you.", "Welcome back", "patient_relationship"),
    ("Thank you for being our patient for ten years.", "our patient", None),
    ("You canceled twice without notice.", "You canceled", "visit_detail"),
    ("You arrived late, so we had to shorten it.", "You arrived late", "visit_detail"),
    ("We told you the cost before we started.", "told you", "visit_detail"),
    ("We're sorry your root canal was uncomfortable.", "root canal", "health_detail"),
    ("The numbing usually lasts longer; we are sorry.", "numbing", None),
    ("Sorry to hear the root canal hurt.", "root canal", "health_detail"),
    ("Your Aetna claim was denied by them, not us.", "Aetna", "insurance"),
    ("You still owe the balance from March.", "You still owe", None),
    ("Your balance was sent to collections.", "Your balance", None),
    ("We're sorry about your anxiety.", "anxiety", "health_detail"),
    ("Hi Jordan, thanks for the feedback.", "Jordan", "name"),
    ("Mr. Miles, we appreciate you.", "Miles", "name"),
    ("Maria Lopez was very happy with her visit.", "Maria Lopez", "name"),
    ("Your x-rays showed a cracked tooth.", "x-rays", None),
    ("Your insurance did not cover the crown.", "insurance", "insurance"),
    ("Your appointment on May 4 was rescheduled by you.", "May 4", "date"),
    ("Please call us; your number 217-555-0199 is on file.", "217-555-0199", "phone"),
    ("We diagnosed you with gum disease last year.", "diagnosed you", None),
    ("Your prescription was sent to the pharmacy.", "prescription", None),
    ("You waited because an emergency came in.", "You waited", "visit_detail"),
]


@pytest.mark.parametrize(("reply", "span", "kind"), UNSAFE)
def test_unsafe_replies_are_flagged(reply: str, span: str, kind: str | None) -> None:
    findings = check_reply(
        reply, review_text=REVIEW, reviewer_name="Jordan Miles", known_names=KNOWN
    )
    assert findings, reply
    covered = [f for f in findings if f.start <= reply.index(span) < f.end]
    assert covered, (span, [(f.kind, reply[f.start : f.end]) for f in findings])
    if kind is not None:
        assert covered[0].kind == kind


SAFE = [
    "We hold every patient visit to a high standard. Please call our office manager at "
    "(217) 555-0142 so we can talk.",
    "Thank you for the kind words! Our whole team appreciates it.",
    "Thank you for your feedback. We take every concern seriously.",
    "We're sorry to hear about your experience. Please call us at 217-555-0142.",
    "We value all feedback and are always working to improve.",
    "Privacy laws keep us from discussing anyone's care online, but we would love to talk. "
    "Please call our office.",
    "Thanks so much for taking the time to share this!",
    "We strive to give every person who contacts us respectful, timely service.",
    "We would welcome the chance to talk with you directly. Please reach our office manager "
    "at (217) 555-0142.",
    "Our team works hard to keep wait times short, and we appreciate your patience.",
    "We're glad you had a good experience with our team!",
    "This review does not reflect our policies or the way we work. Please call us so we can "
    "clear this up.",
    "We take privacy seriously and never discuss anyone's care in public.",
    "We appreciate you sharing your thoughts with us.",
    "Feedback like this helps us improve. Thank you!",
    "We are sorry you were frustrated. Please give us a call at (217) 555-0142.",
    "Our office is open Monday through Friday, 8am to 5pm, if you'd like to talk.",
    "Please e-mail frontdesk@springfieldsmiles.com and our manager will get back to you.",
    "We want everyone to feel comfortable here, and we hear you.",
    "Thank you! Our hygienists will be thrilled to hear this.",
    "We're always happy to answer questions about our services. Call us anytime.",
    "Everyone deserves to feel respected, and we are sorry this fell short.",
    "Thank you for recommending us to friends and family!",
    "We would appreciate the chance to learn more. Please contact our office manager.",
    "Hi there, thanks for the feedback! Please call us at (217) 555-0142.",
    "Thanks everyone for the kind words this month!",
    "Your feedback matters to us.",
]


@pytest.mark.parametrize("reply", SAFE)
def test_safe_replies_pass_clean(reply: str) -> None:
    findings = check_reply(
        reply, review_text=REVIEW, reviewer_name="Jordan Miles", known_names=KNOWN
    )
    assert findings == [], [(f.kind, reply[f.start : f.end], f.rule) for f in findings]


def test_echo_of_a_disclosed_detail_is_high() -> None:
    reply = "We understand the numbing can wear off."
    plain = check_reply(reply)
    echoed = check_reply(reply, review_text="The numbing wore off halfway.")
    assert [f.severity for f in echoed if f.kind == "health_detail"] == ["high"]
    assert len(echoed) >= len(plain)


def test_moniker_then_real_name_is_high() -> None:
    findings = check_reply("Hi Robert, thanks for writing.", reviewer_name="SmileGuy22")
    assert [(f.kind, f.severity) for f in findings] == [("name", "high")]


def test_reviewer_phone_echoed_is_flagged() -> None:
    reply = "Please call us at 217-555-0199."
    assert check_reply(reply) == []
    assert check_reply(reply, review_text="Call me at 217-555-0199")[0].kind == "phone"


def test_empty_and_whitespace() -> None:
    assert check_reply("") == []
    assert check_reply("   \n") == []


def test_lazy_export_from_the_package() -> None:
    import core.reviews
    from core.reviews.reply_check import check_reply as direct

    assert core.reviews.check_reply is direct
    with pytest.raises(AttributeError):
        _ = core.reviews.nope


def test_safe_rewrites() -> None:
    assert safe_rewrites([]) == []
    findings = check_reply("As your dentist, your crown was fine.")
    rewrites = safe_rewrites(findings)
    assert len(rewrites) >= 2
    assert "office" in rewrites[-1]
    for sentence in rewrites:
        assert check_reply(sentence) == [], sentence


def test_rules_are_validated() -> None:
    with pytest.raises(ValidationError):
        reply_rules_from({"relationship_phrases": "nope"})
    with pytest.raises(ValidationError):
        reply_rules_from([])


@given(st.text(), st.text(max_size=200), st.text(max_size=40))
@settings(max_examples=150, deadline=None)
def test_any_text_never_crashes(reply: str, review: str, name: str) -> None:
    findings = check_reply(reply, review_text=review, reviewer_name=name, known_names=KNOWN)
    last = 0
    for f in findings:
        assert 0 <= f.start < f.end <= len(reply)
        assert f.start >= last
        last = f.end


def test_reply_templates_render_and_pass_clean() -> None:
    from core.practice.model import Practice
    from core.reviews.templates import (
        CATEGORIES,
        render_reply,
        reply_templates,
        reply_templates_from,
    )

    practice = Practice(name="Springfield Smiles", phone="(217) 555-0142")
    templates = reply_templates()
    assert {t.category for t in templates} == set(CATEGORIES)
    for template in templates:
        text = render_reply(template, practice=practice, manager="Dana")
        assert "{" not in text
        assert check_reply(text, review_text=REVIEW, reviewer_name="Jordan Miles") == [], text
    offline = next(t for t in templates if "office_phone" in t.placeholders)
    assert "our office manager" in render_reply(offline, practice=practice)
    with pytest.raises(ValidationError) as caught:
        render_reply(offline, practice=Practice(name="X"))
    assert caught.value.params["field"] == "office_phone"
    bad = {"templates": [{"id": "a", "name": "A", "category": "praise", "text": "Hi {patient}"}]}
    with pytest.raises(ValidationError):
        reply_templates_from(bad)
