"""``core.reviews.importing``: CSV/JSON exports, encodings, bad files, per-row errors, paste."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ValidationError
from core.reviews.importing import (
    ImportPreview,
    ImportRejected,
    content_hash,
    match_columns,
    parse_date,
    parse_import,
    parse_pasted,
    parse_rating,
)
from core.reviews.model import ItemKind, ReviewStatus, Source

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

GENERIC = (
    "source,external_id,author,rating,date,text,url\n"
    "google,g1,Ann Lee,5,2025-05-01,Lovely team!,https://g.page/r/abc\n"
    'yelp,y1,Bob K.,2,05/02/2025,"Long wait, rude desk.",https://www.yelp.com/biz/x\n'
)


def rows(data: bytes | str, filename: str = "reviews.csv", **kwargs: Any) -> ImportPreview:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_import(raw, filename=filename, now=NOW, **kwargs)


def test_generic_csv() -> None:
    preview = rows(GENERIC)
    assert preview.format == "csv"
    assert preview.columns == {
        "text": "text",
        "author": "author",
        "rating": "rating",
        "date": "date",
        "source": "source",
        "external_id": "external_id",
        "url": "url",
    }
    first, second = preview.good
    assert (first.source, first.external_id, first.author, first.rating) == (
        Source.GOOGLE,
        "g1",
        "Ann Lee",
        5,
    )
    assert first.posted_at == datetime(2025, 5, 1, tzinfo=UTC)
    assert first.id is None
    assert first.status is ReviewStatus.NEW
    assert first.kind is ItemKind.REVIEW
    assert first.collected_at == NOW
    assert first.content_hash == content_hash(Source.GOOGLE, "Ann Lee", first.posted_at, first.text)
    assert second.text == "Long wait, rude desk."
    assert second.posted_at == datetime(2025, 5, 2, tzinfo=UTC)
    assert [r.line for r in preview.rows] == [2, 3]


@pytest.mark.parametrize(
    ("header", "source"),
    [
        ("Review ID,Reviewer Name,Star Rating,Create Time,Comment", Source.GOOGLE),  # Takeout-like
        ("Review ID,User Name,Rating,Date,Review Text,URL", Source.OTHER),  # Yelp-like, no URL
        (
            "open_graph_story.id,reviewer.name,recommendation_type,created_time,review_text",
            Source.FACEBOOK,
        ),
        ("ID;Name;Stars;Posted;Review", Source.OTHER),
        ("id\tcustomer\tscore\ttimestamp\tfeedback", Source.OTHER),
        ("id|username|rating value|published|content", Source.OTHER),
    ],
)
def test_header_synonyms_and_delimiters(header: str, source: Source) -> None:
    delimiter = next((d for d in ";\t|" if d in header), ",")
    values = ["r1", "Ann", "4", "2025-05-01", "Friendly staff"]
    if "recommendation_type" in header:
        values[2] = ""
    preview = rows(header + "\n" + delimiter.join(values) + "\n")
    (review,) = preview.good
    assert review.text == "Friendly staff"
    assert review.author == "Ann"
    assert review.external_id == "r1"
    assert review.source is source
    assert set(preview.columns) >= {"text", "author", "date", "external_id"}


def test_default_source_and_url_source() -> None:
    data = "text,url\nGreat,https://www.yelp.com/biz/x\nFine,\n"
    preview = rows(data)
    assert [r.source for r in preview.good] == [Source.YELP, Source.OTHER]
    preview = rows(data, default_source=Source.HEALTHGRADES)
    assert [r.source for r in preview.good] == [Source.HEALTHGRADES, Source.HEALTHGRADES]
    assert rows("site,text\nGoogle Maps,Hi\nRateMDs.com,Yo\n").good[1].source is Source.RATEMDS


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_encodings(encoding: str) -> None:
    text = "author,text\nJosé Núñez,Très bien — “merci”\n"
    data = text.encode(encoding)  # "utf-16-le" writes no BOM
    (review,) = rows(data).good
    assert review.author == "José Núñez"
    assert review.text == "Très bien — “merci”"


def test_bad_encoding_and_binary_are_refused() -> None:
    with pytest.raises(ImportRejected) as caught:
        rows(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    assert caught.value.params["reason"] == "not_text"
    with pytest.raises(ImportRejected) as caught:
        rows(b"\xff\xfe" + b"\x00\xd8")  # UTF-16 BOM, then a lone surrogate
    assert caught.value.params["reason"] in ("bad_encoding", "not_text", "empty")
    with pytest.raises(ImportRejected) as caught:
        rows(b"author,text\nA,\x81\x8d\x8f\x90\x9d\n")  # bytes cp1252 leaves undefined
    assert caught.value.params["reason"] == "bad_encoding"
    assert isinstance(caught.value, ValidationError)


def test_json_list_and_wrapped() -> None:
    listed = [{"author": "A", "rating": 5, "text": "Great", "date": "2025-05-01T10:00:00Z"}]
    (review,) = rows(json.dumps(listed), "x.json").good
    assert review.posted_at == datetime(2025, 5, 1, 10, tzinfo=UTC)
    google = {
        "reviews": [
            {
                "reviewId": "abc",
                "reviewer": {"displayName": "Pat"},
                "starRating": "FOUR",
                "comment": "Nice",
                "createTime": "2024-01-02T03:04:05.123456789Z",
            },
            "not an object",
        ]
    }
    preview = rows(json.dumps(google), "reviews.json")
    assert preview.format == "json"
    good, bad = preview.rows
    assert good.review is not None
    assert (good.review.source, good.review.author, good.review.rating) == (Source.GOOGLE, "Pat", 4)
    assert bad.errors == ("not_an_object",)
    facebook = {"data": [{"review_text": "Kind", "recommendation_type": "positive"}]}
    assert rows(json.dumps(facebook), "fb.json").good[0].source is Source.FACEBOOK


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        ("", "x.csv", "empty"),
        ("   \n", "x.csv", "empty"),
        ("name,stars\nAnn,5\n", "x.csv", "no_text_column"),
        ("foo,bar\n1,2\n", "x.csv", "no_text_column"),
        ("{not json", "x.json", "bad_json"),
        ('{"items_here": 3}', "x.json", "no_reviews"),
        ("42", "x.json", "no_reviews"),
        ('[{"stars": 5}]', "x.json", "no_text_column"),
    ],
)
def test_refused_files(data: str, filename: str, reason: str) -> None:
    with pytest.raises(ImportRejected) as caught:
        rows(data, filename)
    assert caught.value.params["reason"] == reason


def test_huge_file_and_too_many_rows_are_refused() -> None:
    big = ("text\n" + "x" * 100 + "\n") * 100
    with pytest.raises(ImportRejected) as caught:
        rows(big, max_bytes=1000)
    assert caught.value.params["reason"] == "too_big"
    many = "text\n" + "".join(f"review {i}\n" for i in range(11))
    with pytest.raises(ImportRejected) as caught:
        rows(many, max_rows=10)
    assert caught.value.params["reason"] == "too_many_rows"
    listed = json.dumps([{"text": f"r{i}"} for i in range(11)])
    with pytest.raises(ImportRejected):
        rows(listed, "x.json", max_rows=10)
    assert len(rows(many, max_rows=11).good) == 11


def test_row_errors() -> None:
    data = (
        "author,rating,date,text,url\n"
        "A,5,2025-05-01,,\n"  # missing text
        "B,6,2025-05-01,Hi,\n"  # bad rating
        "C,0,2025-05-01,Hi,\n"
        "D,great,2025-05-01,Hi,\n"
        "E,5,yesterday-ish,Hi,\n"  # bad date
        "F,5,2025-02-30,Hi,\n"
        "G,5,2030-01-01,Hi,\n"  # future
        "H,5,2025-05-01,Hi,javascript:alert(1)\n"  # not a web address
        "I,5,2025-05-01,Fine,\n"
    )
    preview = rows(data)
    assert [r.errors for r in preview.rows] == [
        ("missing_text",),
        ("bad_rating",),
        ("bad_rating",),
        ("bad_rating",),
        ("bad_date",),
        ("bad_date",),
        ("future_date",),
        ("bad_url",),
        (),
    ]
    assert all(r.review is None for r in preview.rows[:-1])
    assert len(preview.error_rows) == 8
    assert [r.author for r in preview.good] == ["I"]
    too_long = rows("text\n" + "y" * 20_001 + "\n")
    assert too_long.rows[0].errors == ("text_too_long",)


def test_duplicates_within_a_file_are_flagged() -> None:
    data = (
        "source,id,author,date,text\n"
        "google,1,Ann,2025-05-01,Great\n"
        "google,1,Ann (edited),2025-05-02,Great!!\n"  # same source + id
        "yelp,1,Ann,2025-05-01,Great\n"  # same id, other source: not a duplicate
        "google,,Bob,2025-05-01 09:00,Nice  place\n"
        "google,,bob,2025-05-01 17:00,Nice place\n"  # same author/day/text: same hash
        "google,,Bob,2025-05-03,Nice place\n"  # another day
    )
    preview = rows(data)
    assert [r.errors for r in preview.rows] == [(), ("duplicate",), (), (), ("duplicate",), ()]
    assert preview.rows[1].review is not None  # shown in the preview, never imported
    assert len(preview.good) == 4


def test_html_in_text_is_kept_as_plain_text() -> None:
    text = '<script>alert("x")</script><b>Bold</b> <a href="http://evil.example">link</a> &amp;'
    data = "author,text\n" + '"<i>Ann</i>","' + text.replace('"', '""') + '"\n'
    (review,) = rows(data).good
    assert review.text == text
    assert review.author == "<i>Ann</i>"


def test_control_characters_and_line_breaks() -> None:
    data = 'author,text\nAnn\x07,"line one\r\nline two\x00"\n'.replace("\x00", "")
    (review,) = rows(data).good
    assert review.text == "line one\nline two"
    assert review.author == "Ann"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-05-01", datetime(2025, 5, 1, tzinfo=UTC)),
        ("2025-05-01T14:30:00Z", datetime(2025, 5, 1, 14, 30, tzinfo=UTC)),
        ("2025-05-01T14:30:00-05:00", datetime(2025, 5, 1, 19, 30, tzinfo=UTC)),
        ("2025-05-01 14:30", datetime(2025, 5, 1, 14, 30, tzinfo=UTC)),
        ("05/01/2025", datetime(2025, 5, 1, tzinfo=UTC)),
        ("5/1/25", datetime(2025, 5, 1, tzinfo=UTC)),
        ("25/12/2024", datetime(2024, 12, 25, tzinfo=UTC)),
        ("12/25/2024 3:15 PM", datetime(2024, 12, 25, 15, 15, tzinfo=UTC)),
        ("May 1, 2025", datetime(2025, 5, 1, tzinfo=UTC)),
        ("Sept 3rd, 2024", datetime(2024, 9, 3, tzinfo=UTC)),
        ("1 May 2025", datetime(2025, 5, 1, tzinfo=UTC)),
        ("Thu, 01 May 2025 14:30:00 +0000", datetime(2025, 5, 1, 14, 30, tzinfo=UTC)),
        ("1746109800", datetime(2025, 5, 1, 14, 30, tzinfo=UTC)),
        ("1746109800000", datetime(2025, 5, 1, 14, 30, tzinfo=UTC)),
        ("2024-01-02T03:04:05.123456789Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("", None),
        ("soon", None),
        ("13/13/2025", None),
        ("Smarch 5, 2025", None),
    ],
)
def test_dates(value: str, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_dates_without_zone_use_the_importers_zone() -> None:
    from zoneinfo import ZoneInfo

    chicago = ZoneInfo("America/Chicago")
    assert parse_date("2025-05-01 09:00", chicago) == datetime(2025, 5, 1, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4", 4),
        ("4.0", 4),
        ("4/5", 4),
        ("4 / 5", 4),
        ("4 out of 5", 4),
        ("4 stars", 4),
        ("1 star", 1),
        ("★★★★", 4),
        ("★★★★☆", 4),
        ("⭐⭐⭐⭐⭐", 5),
        ("FIVE", 5),
        ("two", 2),
        ("", None),
        ("0", None),
        ("6", None),
        ("4.5", None),
        ("9/10", None),
        ("☆☆☆☆☆", None),
        ("great", None),
    ],
)
def test_ratings(value: str, expected: int | None) -> None:
    assert parse_rating(value) == expected


def test_match_columns_prefers_specific_names() -> None:
    found = match_columns(["Name", "Reviewer Name", "Review", "reviewText"])
    assert found["author"] == "Reviewer Name"
    assert found["text"] == "reviewText"


def test_content_hash_is_stable() -> None:
    when = datetime(2025, 5, 1, 9, tzinfo=UTC)
    a = content_hash(Source.GOOGLE, "Ann  Lee", when, "Great  team")
    assert a == content_hash("google", "ann lee", when + timedelta(hours=5), "Great team")
    assert a != content_hash(Source.YELP, "Ann Lee", when, "Great team")
    assert len(a) == 64


def test_parse_pasted() -> None:
    review = parse_pasted(
        "Jane D.\n★★★★☆\n3 weeks ago\nThe staff were lovely.\n\nBut the wait was long.\n",
        now=NOW,
    )
    assert review.author == "Jane D."
    assert review.rating == 4
    assert review.posted_at == NOW - timedelta(weeks=3)
    assert review.text == "The staff were lovely.\n\nBut the wait was long."
    assert review.source is Source.OTHER
    assert review.collected_at == NOW
    assert review.content_hash


def test_parse_pasted_variants() -> None:
    review = parse_pasted(
        "Rated 2 out of 5\nMarch 3, 2025\nhttps://www.yelp.com/biz/x?hrid=1\nRude staff!", now=NOW
    )
    assert (review.rating, review.source, review.author) == (2, Source.YELP, "")
    assert review.posted_at == datetime(2025, 3, 3, tzinfo=UTC)
    assert parse_pasted("Great place", now=NOW).text == "Great place"
    assert parse_pasted("yesterday\nok", now=NOW).posted_at == NOW - timedelta(days=1)
    html = parse_pasted("<b>hi</b> <script>x</script>", now=NOW)
    assert html.text == "<b>hi</b> <script>x</script>"
    with pytest.raises(ValidationError) as caught:
        parse_pasted("  \n ★★★ \n", now=NOW)
    assert caught.value.params["reason"] == "missing"
    with pytest.raises(ValidationError):
        parse_pasted("x" * 20_001, now=NOW)


@given(st.binary(max_size=2000))
@settings(max_examples=150, deadline=None)
def test_any_bytes_give_a_preview_or_a_rejection(data: bytes) -> None:
    for name in ("x.csv", "x.json"):
        try:
            preview = parse_import(data, filename=name, now=NOW)
        except ImportRejected:
            continue
        for row in preview.rows:
            assert row.review is None or row.review.text


@given(st.text(max_size=500))
@settings(max_examples=150, deadline=None)
def test_any_paste(text: str) -> None:
    try:
        review = parse_pasted(text, now=NOW)
    except ValidationError:
        return
    assert review.text.strip()
