"""Content help: templates, the observance calendar and hashtag sets (and their files)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.composer.errors import InvalidTemplateValue, MissingTemplateValues
from core.composer.hashtags import (
    default_hashtags,
    hashtags_from,
    load_hashtags,
    suggested_hashtags,
)
from core.composer.observances import (
    DateRule,
    RuleKind,
    default_observances,
    load_observances,
    nth_weekday,
    observances_from,
    occurrences,
    upcoming,
)
from core.composer.templates import (
    ALLOWED_PLACEHOLDERS,
    Template,
    default_templates,
    load_templates,
    render_template,
    templates_from,
)
from core.demo import DEMO_PRACTICE
from core.errors import NotFound, ValidationError
from core.practice.model import Practice, Specialty

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2027, 1, 20)
SAMPLE_VALUES = {
    "about": "She loves hiking and her two dogs.",
    "doctor": "Dr. Helen Okafor",
    "end_date": "March 12",
    "event": "the Springfield Health Fair",
    "event_date": "Saturday, May 8",
    "event_place": "Lincoln Park",
    "holiday": "Thanksgiving",
    "link": "https://www.cdc.gov/flu/",
    "observance": "National Children's Dental Health Month",
    "reopen_date": "Monday, November 29",
    "service": "same-day crowns",
    "source": "the CDC",
    "staff_name": "Jenna",
    "staff_role": "front-desk coordinator",
    "start_date": "March 1",
    "tip": "Replace your toothbrush every three months.",
    "topic": "handwashing",
    "when": "this Friday at 2:30 pm",
}


# --- templates -----------------------------------------------------------------------------
REQUIRED_TEMPLATES = {
    "tip_of_the_day",
    "staff_introduction",
    "doctor_away",
    "last_minute_opening",
    "holiday_closure",
    "flu_shot_season",
    "awareness_month",
    "event",
    "reshare_trusted_source",
}


def test_the_issue_templates_are_all_there() -> None:
    assert {t.id for t in default_templates().templates} >= REQUIRED_TEMPLATES
    names = {s.name for s in default_templates().sources}
    assert {"CDC", "American Red Cross"} <= names


@pytest.mark.parametrize("template", default_templates().templates, ids=lambda t: t.id)
def test_every_template_renders_for_the_demo_practice(template: Template) -> None:
    text = render_template(template, DEMO_PRACTICE, SAMPLE_VALUES, today=TODAY)
    assert "{" not in text
    assert "}" not in text
    assert set(template.placeholders) <= ALLOWED_PLACEHOLDERS
    if "practice_name" in template.placeholders:
        assert DEMO_PRACTICE.name in text


def test_placeholders_filled_from_practice_and_today() -> None:
    template = Template(
        "t",
        "T",
        "news",
        "{practice_name} {phone} {website} {date} {month_name}",
        frozenset(Specialty),
    )
    sneaky = {"practice_name": "Other Practice", "phone": "000"}
    text = render_template(template, DEMO_PRACTICE, sneaky, today=TODAY)
    assert text == (
        "Maple Grove Family Dental (217) 555-0142 https://maplegrove-dental.example "
        "January 20, 2027 January"
    )
    given_date = render_template(template, DEMO_PRACTICE, {"date": "Friday"}, today=TODAY)
    assert "Friday January" in given_date


def test_missing_values_are_named() -> None:
    template = default_templates().get("doctor_away")
    with pytest.raises(MissingTemplateValues) as raised:
        render_template(
            template, DEMO_PRACTICE, {"doctor": "Dr. Okafor", "end_date": " "}, today=TODAY
        )
    assert raised.value.params["missing"] == ("start_date", "end_date")
    no_phone = Practice(name="Quiet Dental")
    with pytest.raises(MissingTemplateValues) as raised:
        render_template(template, no_phone, SAMPLE_VALUES, today=TODAY)
    assert raised.value.params["missing"] == ("phone",)


def test_a_reshare_needs_a_real_link() -> None:
    template = default_templates().get("reshare_trusted_source")
    with pytest.raises(InvalidTemplateValue):
        render_template(
            template, DEMO_PRACTICE, {**SAMPLE_VALUES, "link": "cdc dot gov"}, today=TODAY
        )


def test_values_are_not_expanded_twice() -> None:
    template = default_templates().get("tip_of_the_day")
    text = render_template(template, DEMO_PRACTICE, {"tip": "Say {phone}!"}, today=TODAY)
    assert "Say {phone}!" in text


@pytest.mark.parametrize(
    "text",
    ["Happy birthday {patient_name}!", "See {name} at {appointment}", "Hi {age}", "{ oops", "x }"],
)
def test_templates_cannot_ask_for_patient_details_or_hold_stray_braces(text: str) -> None:
    document = {"templates": [{"id": "bad", "name": "Bad", "category": "news", "text": text}]}
    with pytest.raises(ValidationError) as raised:
        templates_from(document)
    assert raised.value.params["field"] == "templates[0].text"


def test_template_library_lookups() -> None:
    library = default_templates()
    with pytest.raises(NotFound):
        library.get("nope")
    dental = {t.id for t in library.for_specialty(Specialty.DENTAL)}
    assert "flu_shot_season" not in dental
    assert "flu_shot_season" in {t.id for t in library.for_specialty(Specialty.FAMILY_MEDICINE)}
    assert library.get("event").user_fields == ("event", "event_date", "event_place", "about")


def test_template_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        load_templates(tmp_path / "missing.json")
    twice = {"id": "a", "name": "A", "category": "news", "text": "Hi"}
    with pytest.raises(ValidationError, match="repeated"):
        templates_from({"templates": [twice, twice]})
    with pytest.raises(ValidationError):
        templates_from({"templates": [{**twice, "colour": "red"}]})
    with pytest.raises(ValidationError):
        templates_from({"templates": [twice], "sources": [{"name": "X", "url": "not a url"}]})


# --- observances --------------------------------------------------------------------------------
def names(found: list[Any]) -> list[str]:
    return [s.observance.name for s in found]


def test_upcoming_for_a_dental_practice_in_late_january() -> None:
    found = upcoming(TODAY, Specialty.DENTAL)
    childrens = next(
        s for s in found if s.observance.id == "national_childrens_dental_health_month"
    )
    assert (childrens.start, childrens.end) == (date(2027, 2, 1), date(2027, 2, 28))
    assert childrens.post_from == date(2027, 1, 18)
    assert childrens.days_until == 12
    assert not childrens.in_progress
    assert childrens.template_id == "awareness_month"
    assert dict(childrens.values) == {
        "observance": "National Children's Dental Health Month",
        "month_name": "February",
    }
    assert "American Heart Month" not in names(found)  # not tagged dental
    assert "National Dentist's Day" not in names(found)  # March 6: its window opens Feb 27
    running = next(s for s in found if s.observance.id == "national_blood_donor_month")
    assert running.in_progress
    assert [s.start for s in found] == sorted(s.start for s in found)


def test_upcoming_across_the_new_year() -> None:
    found = upcoming(date(2026, 12, 28), Specialty.OPTOMETRY, within_days=10)
    assert "Glaucoma Awareness Month" in names(found)
    assert found[0].start == date(2027, 1, 1)


def test_a_suggestion_renders_with_its_template() -> None:
    suggestion = upcoming(TODAY, Specialty.DENTAL)[1]
    template = default_templates().get(suggestion.template_id)
    values = {**suggestion.values, "tip": "Book their checkup."}
    text = render_template(template, DEMO_PRACTICE, values, today=TODAY)
    assert text.startswith("February is National Children's Dental Health Month.")


@pytest.mark.parametrize(
    ("year", "month", "weekday", "nth", "expected"),
    [
        (2027, 2, 4, 1, date(2027, 2, 5)),  # National Wear Red Day: first Friday of February
        (2027, 11, 3, 3, date(2027, 11, 18)),  # Great American Smokeout: third Thursday
        (2027, 5, 6, 2, date(2027, 5, 9)),  # Mother's Day: second Sunday of May
        (2026, 5, 0, -1, date(2026, 5, 25)),  # Memorial Day: last Monday of May
        (2024, 2, 3, -1, date(2024, 2, 29)),  # last Thursday of a leap February
        (2026, 10, 3, 2, date(2026, 10, 8)),  # World Sight Day: second Thursday of October
    ],
)
def test_nth_weekday(year: int, month: int, weekday: int, nth: int, expected: date) -> None:
    assert nth_weekday(year, month, weekday, nth) == expected


def test_week_long_rules() -> None:
    rule = DateRule(RuleKind.NTH_WEEKDAY, 5, weekday=6, nth=2, days=7)
    assert rule.dates_in(2027) == (date(2027, 5, 9), date(2027, 5, 15))


@given(st.integers(min_value=1900, max_value=2200))
def test_every_observance_has_dates_every_year(year: int) -> None:
    for observance, start, end in occurrences(year, default_observances().observances):
        assert start.year == year
        assert start <= end
        assert (end - start).days < 31
        if observance.rule.kind is RuleKind.NTH_WEEKDAY:
            assert start.weekday() == observance.rule.weekday


@pytest.mark.parametrize("specialty", list(Specialty))
def test_a_whole_year_of_suggestions(specialty: Specialty) -> None:
    day = date(2027, 1, 1)
    seen: set[str] = set()
    while day.year == 2027:
        for suggestion in upcoming(day, specialty, within_days=30):
            assert suggestion.end >= day
            assert suggestion.post_from <= day + timedelta(days=30)
            seen.add(suggestion.observance.id)
        day += timedelta(days=1)
    assert seen == {o.id for o in default_observances().for_specialty(specialty)}


def test_domain_md_observances_are_in_the_calendar() -> None:
    by_name = {o.name: o for o in default_observances().observances}
    expected = {
        "National Children's Dental Health Month": 2,
        "National Dental Hygiene Month": 10,
        "Breast Cancer Awareness Month": 10,
        "Oral Cancer Awareness Month": 4,
        "American Heart Month": 2,
        "Men's Health Month": 6,
        "National Immunization Awareness Month": 8,
        "National Nutrition Month": 3,
        "Skin Cancer Awareness Month": 5,
        "National Diabetes Month": 11,
    }
    for name, month in expected.items():
        assert by_name[name].rule == DateRule(RuleKind.MONTH, month)
    assert by_name["World Health Day"].rule == DateRule(RuleKind.DATE, 4, day=7)
    assert by_name["World Oral Health Day"].rule == DateRule(RuleKind.DATE, 3, day=20)
    assert Specialty.DENTAL in by_name["National Dental Hygiene Month"].specialties


@pytest.mark.parametrize(
    "rule",
    [
        {"month": 13},
        {"month": 2, "day": 29},
        {"month": 2, "day": 3, "weekday": "friday", "nth": 1},
        {"month": 2, "weekday": "friday", "nth": 5},
        {"month": 2, "weekday": "fri", "nth": 1},
        {"month": 2, "days": 7},
    ],
)
def test_bad_rules_are_refused(rule: dict[str, Any]) -> None:
    entry = {"id": "x", "name": "X", "rule": rule, "specialties": ["all"]}
    with pytest.raises(ValidationError) as raised:
        observances_from({"observances": [entry]})
    assert str(raised.value.params["field"]).startswith("observances[0].rule")


def test_observance_file_round_trip(tmp_path: Path) -> None:
    document = json.loads((ROOT / "resources" / "observances.json").read_text(encoding="utf-8"))
    document["observances"][0]["specialties"] = ["dentistry"]
    path = tmp_path / "observances.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValidationError):
        load_observances(path)
    assert load_observances() == default_observances()


# --- hashtags ---------------------------------------------------------------------------------
def test_every_specialty_has_hashtags() -> None:
    sets = default_hashtags()
    assert all(sets.for_specialty(s) for s in Specialty)
    assert load_hashtags() == sets


def test_suggested_hashtags_put_the_observance_first_and_cap_at_five() -> None:
    tags = suggested_hashtags(Specialty.DENTAL, ["#WorldOralHealthDay", "#oralhealth"])
    assert tags[0] == "#WorldOralHealthDay"
    assert len(tags) == 5
    assert [t.casefold() for t in tags].count("#oralhealth") == 1


@pytest.mark.parametrize("bad", ["OralHealth", "#oral health", "#2024", "#"])
def test_bad_hashtags_are_refused(bad: str) -> None:
    document = {"specialties": {s.value: ["#Health"] for s in Specialty}}
    document["specialties"]["dental"] = [bad]
    with pytest.raises(ValidationError):
        hashtags_from(document)
    del document["specialties"]["dental"]
    with pytest.raises(ValidationError, match="required"):
        hashtags_from(document)
