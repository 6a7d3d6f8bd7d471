"""``core.reviews.themes``: editable keyword rules, validated like the templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ValidationError
from core.reviews.themes import (
    THEME_IDS,
    default_theme_rules,
    load_theme_rules,
    theme_rules_from,
    themes,
)


def test_default_rules_have_every_theme_of_the_issue() -> None:
    assert set(THEME_IDS) <= set(default_theme_rules().ids)
    assert default_theme_rules().label("wait_time") == "Wait time"
    assert default_theme_rules().label("gone") == "gone"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Waited over an hour in the waiting room.", {"wait_time"}),
        ("They overcharged me and billed my insurance twice.", {"billing"}),
        ("The receptionist was rude and dismissive.", {"staff_attitude"}),
        ("My crown fell off after a week.", {"clinical_outcome"}),
        ("The bathroom was filthy.", {"cleanliness"}),
        ("They canceled my appointment twice.", {"scheduling"}),
        ("Excellent! Highly recommend.", {"praise"}),
        ("Not great, would not recommend.", set()),
        ("The Office Is On MAIN street.", set()),
        ("", set()),
        (
            "Long wait, rude receptionist, and the bill was wrong.",
            {"wait_time", "staff_attitude", "billing"},
        ),
    ],
)
def test_themes(text: str, expected: set[str]) -> None:
    assert set(themes(text)) == expected


def test_themes_come_in_rule_order() -> None:
    found = themes("Great staff! The bill was high and the wait long.")
    order = default_theme_rules().ids
    assert list(found) == sorted(found, key=order.index)


def test_custom_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "themes.json"
    path.write_text(
        json.dumps({"themes": [{"id": "parking", "label": "Parking", "keywords": ["park{ing,}"]}]}),
        encoding="utf-8",
    )
    rules = load_theme_rules(path)
    assert themes("No parking anywhere", rules) == ("parking",)
    assert themes("Nice park nearby", rules) == ("parking",)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ([], "themes"),
        ({"themes": []}, "themes"),
        ({"themes": [{"id": "Bad Id", "label": "x", "keywords": ["a"]}]}, "themes[0].id"),
        ({"themes": [{"id": "a", "label": "", "keywords": ["a"]}]}, "themes[0].label"),
        ({"themes": [{"id": "a", "label": "A", "keywords": []}]}, "themes[0].keywords"),
        ({"themes": [{"id": "a", "label": "A", "keywords": [" "]}]}, "themes[0].keywords[0]"),
        ({"themes": [{"id": "a", "label": "A", "keywords": ["{x"]}]}, "themes[0].keywords[0]"),
        ({"themes": [{"id": "a", "label": "A", "keywords": ["x"], "colour": 1}]}, "themes[0]"),
        (
            {
                "themes": [
                    {"id": "a", "label": "A", "keywords": ["x"]},
                    {"id": "a", "label": "B", "keywords": ["y"]},
                ]
            },
            "themes",
        ),
        ({"themes": [], "extra": 1}, "extra"),
    ],
)
def test_invalid_rules(document: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        theme_rules_from(document)
    assert caught.value.params["field"] == field


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ValidationError):
        load_theme_rules(path)


@given(st.text(max_size=500))
@settings(max_examples=80, deadline=None)
def test_any_text(text: str) -> None:
    assert set(themes(text)) <= set(default_theme_rules().ids)
