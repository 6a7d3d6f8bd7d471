"""Importing reviews from CSV or JSON exports, and one review pasted from the clipboard.

Import file format
------------------

Front Desk Social reads the review exports of Google (Takeout / Business Profile), Yelp,
Facebook, Healthgrades, Zocdoc, Vitals and RateMDs, or any spreadsheet saved as CSV, and JSON.

**CSV**: the first row names the columns; any delimiter (comma, semicolon, tab or ``|``) is
detected. The file may be UTF-8 (with or without a byte-order mark), UTF-16 (as Excel's
"Unicode text" saves it) or Windows-1252 (older Excel "CSV"). **JSON**: a list of objects, or
an object holding the list under ``"reviews"`` (Google Takeout, Business Profile API) or
``"data"`` (Facebook Graph API); nested objects are read with dotted names
(``reviewer.displayName``).

Columns are found by name, whatever the case, spacing, ``_``/``-``/``.`` or camelCase
(``Review Text``, ``review_text`` and ``reviewText`` are the same). Only a text column is
required; other columns are ignored.

| field       | accepted column names                                                          |
|-------------|--------------------------------------------------------------------------------|
| text *      | text, review, review text, review body, comment, comments, content, body,      |
|             | message, feedback, description, recommendation text                            |
| author      | author, author name, reviewer, reviewer name, reviewer display name,           |
|             | display name, user, user name, username, customer, customer name, recommender, |
|             | name                                                                           |
| rating      | rating, stars, star rating, score, rating value, overall rating, review rating |
| date        | date, review date, date posted, posted, posted at, posted on, created,         |
|             | created at, created time, create time, published, timestamp, time, updated,    |
|             | update time                                                                    |
| source      | source, site, platform, network, channel, review site, review source           |
| external id | review id, external id, id, open graph story id, recommendation id, review     |
|             | name                                                                           |
| url         | url, link, review url, review link, permalink, href                            |
| kind        | kind, item type (``review`` or ``mention``)                                    |

Values:

- **rating**: 1–5 as ``4``, ``4.0``, ``4/5``, ``4 out of 5``, ``4 stars``, ``★★★★`` or
  ``★★★★☆``, or a word (``FOUR``, as Google writes it). Empty: no rating (a mention, or a
  Facebook recommendation).
- **date**: ISO 8601 (``2024-03-05``, ``2024-03-05T14:30:00Z``), ``03/05/2024`` or
  ``3/5/24`` (month first, unless the first number is over 12), ``March 5, 2024``,
  ``5 Mar 2024``, ``Tue, 05 Mar 2024 14:30:00 +0000`` or a Unix timestamp. Times without a
  zone are read in the importer's time zone. Empty: the moment of the import.
- **source**: ``google``, ``facebook``, ``yelp``, ``healthgrades``, ``zocdoc``, ``vitals``,
  ``ratemds`` or ``other`` (names such as "Google Maps" work too). Without a source column the
  source chosen in the import dialog is used, else the review URL's site, else the export's
  shape (Google's ``starRating``, Facebook's ``recommendation_type``), else ``other``.
- **url**: an ``http://`` or ``https://`` address.
- Review text is kept exactly as written and always shown as plain text: HTML in it is never
  interpreted.

Each row gets error codes instead of being imported when something is wrong:
``missing_text``, ``text_too_long`` (over 20,000 characters), ``bad_rating``, ``bad_date``,
``future_date``, ``bad_url``, ``not_an_object`` (a JSON entry that is not an object) and
``duplicate`` (the same source and review id, or the same source, author, day and text, as an
earlier row). A whole file is refused (``ImportRejected``: a ``ValidationError`` whose
``reason`` says why) when it is larger than 20 MB (``too_big``) or has more than 100,000 rows
(``too_many_rows``), is not text (``not_text``, ``bad_encoding``), is broken JSON or CSV
(``bad_json``, ``bad_csv``), holds no reviews (``empty``, ``no_reviews``) or has no text
column (``no_text_column``).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from core.errors import ValidationError
from core.reviews.model import ItemKind, Review, ReviewStatus, Source

MAX_TEXT = 20_000
MAX_AUTHOR = 200
MAX_ID = 500
MAX_URL = 2_000
FIELDS = ("text", "author", "rating", "date", "source", "external_id", "url", "kind")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "text": (
        "text",
        "review text",
        "review",
        "review body",
        "comment",
        "comments",
        "content",
        "body",
        "message",
        "feedback",
        "description",
        "recommendation text",
    ),
    "author": (
        "author",
        "author name",
        "reviewer name",
        "reviewer display name",
        "reviewer",
        "display name",
        "user name",
        "username",
        "user",
        "customer name",
        "customer",
        "recommender",
        "recommender name",
        "name",
    ),
    "rating": (
        "rating",
        "star rating",
        "stars",
        "score",
        "rating value",
        "overall rating",
        "review rating",
    ),
    "date": (
        "date",
        "review date",
        "date posted",
        "posted",
        "posted at",
        "posted on",
        "created",
        "created at",
        "created time",
        "create time",
        "published",
        "timestamp",
        "time",
        "updated",
        "update time",
    ),
    "source": (
        "source",
        "site",
        "platform",
        "network",
        "channel",
        "review site",
        "review source",
    ),
    "external_id": (
        "review id",
        "external id",
        "id",
        "open graph story id",
        "recommendation id",
        "review name",
    ),
    "url": ("url", "link", "review url", "review link", "permalink", "href"),
    "kind": ("kind", "item type"),
}
"""Accepted column names per field (normalised: lower case, words split by spaces); the first
one present wins."""

_SOURCE_NAMES: dict[str, Source] = {
    "google": Source.GOOGLE,
    "google maps": Source.GOOGLE,
    "google business": Source.GOOGLE,
    "google business profile": Source.GOOGLE,
    "google my business": Source.GOOGLE,
    "gbp": Source.GOOGLE,
    "gmb": Source.GOOGLE,
    "facebook": Source.FACEBOOK,
    "fb": Source.FACEBOOK,
    "meta": Source.FACEBOOK,
    "yelp": Source.YELP,
    "healthgrades": Source.HEALTHGRADES,
    "health grades": Source.HEALTHGRADES,
    "zocdoc": Source.ZOCDOC,
    "zoc doc": Source.ZOCDOC,
    "vitals": Source.VITALS,
    "vitals com": Source.VITALS,
    "ratemds": Source.RATEMDS,
    "rate mds": Source.RATEMDS,
    "ratemds com": Source.RATEMDS,
    "other": Source.OTHER,
}
_HOSTS: tuple[tuple[str, Source], ...] = (
    ("google.", Source.GOOGLE),
    ("goo.gl", Source.GOOGLE),
    ("g.page", Source.GOOGLE),
    ("facebook.com", Source.FACEBOOK),
    ("fb.com", Source.FACEBOOK),
    ("yelp.", Source.YELP),
    ("healthgrades.com", Source.HEALTHGRADES),
    ("zocdoc.com", Source.ZOCDOC),
    ("vitals.com", Source.VITALS),
    ("ratemds.com", Source.RATEMDS),
)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_STARS = "★⭐✭✮✯✪✰🌟"
_EMPTY_STARS = "☆✩"


class ImportRejected(ValidationError):
    """A file that cannot be imported at all; ``params['reason']`` says why (see the module
    documentation) and ``params['field']`` is ``"file"`` or ``"columns"``. The import dialog
    words each reason; elsewhere it reads as a file that cannot be imported."""

    code = "review_import_rejected"


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One row of the file: ``line`` is its line in the CSV file (the header is line 1) or its
    position in the JSON list (from 1). ``review`` is ``None`` when the row could not make a
    review; a row with ``errors`` is never imported."""

    line: int
    review: Review | None
    errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.review is not None and not self.errors


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What an import would bring in. ``columns`` maps each field found to the file's
    column name (``{"text": "Review Text", ...}``)."""

    rows: tuple[ImportRow, ...]
    columns: dict[str, str] = field(default_factory=dict)
    format: str = "csv"
    """``"csv"`` or ``"json"``."""
    encoding: str = "utf-8"

    @property
    def good(self) -> tuple[Review, ...]:
        """The reviews of the rows without errors, in file order."""
        return tuple(row.review for row in self.rows if row.ok and row.review is not None)

    @property
    def error_rows(self) -> tuple[ImportRow, ...]:
        return tuple(row for row in self.rows if row.errors)


def content_hash(source: Source | str, author: str, posted_at: datetime, text: str) -> str:
    """A stable fingerprint of a review without its own id: the source, the author (case and
    spacing ignored), the UTC day it was posted and the text (spacing ignored); SHA-256 hex."""
    moment = posted_at if posted_at.tzinfo is not None else posted_at.replace(tzinfo=UTC)
    parts = (
        Source(source).value,
        " ".join(unicodedata.normalize("NFC", author).casefold().split()),
        moment.astimezone(UTC).date().isoformat(),
        " ".join(unicodedata.normalize("NFC", text).split()),
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def parse_import(
    data: bytes,
    *,
    filename: str,
    now: datetime,
    default_source: Source | None = None,
    max_bytes: int = 20_000_000,
    max_rows: int = 100_000,
) -> ImportPreview:
    """Read a CSV or JSON export (see the module documentation for the format).

    ``now`` (aware) is the moment of the import: ``collected_at`` of every review, the
    posting time of rows without a date, and the time zone of dates written without one.
    ``ImportRejected`` for a file that cannot be imported at all; problems of single rows are
    error codes on their ``ImportRow``. Never reads more than ``max_bytes``/``max_rows``.
    """
    if len(data) > max_bytes:
        raise ImportRejected(
            f"the file is larger than {max_bytes} bytes", field="file", reason="too_big"
        )
    text, encoding = decode(data)
    if not text.strip():
        raise ImportRejected("the file is empty", field="file", reason="empty")
    moment = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    stripped = text.lstrip()
    is_json = filename.lower().endswith(".json") or stripped[:1] in ("[", "{")
    records = _json_records(stripped) if is_json else _csv_records(text, max_rows)
    header, entries = records
    columns = match_columns(header)
    if "text" not in columns:
        raise ImportRejected(
            "no column holds the review text (e.g. 'text', 'review', 'comment')",
            field="columns",
            reason="no_text_column",
        )
    if len(entries) > max_rows:
        raise ImportRejected(
            f"the file has more than {max_rows} rows", field="file", reason="too_many_rows"
        )
    guessed = _profile_source(header)
    rows: list[ImportRow] = []
    seen: set[tuple[str, str]] = set()
    for line, entry in entries:
        if entry is None:
            rows.append(ImportRow(line, None, ("not_an_object",)))
            continue
        row = _row(
            line, entry, columns=columns, now=moment, default_source=default_source, guessed=guessed
        )
        if row.review is not None:
            review = row.review
            key = (
                (review.source.value, "id:" + review.external_id)
                if review.external_id
                else (review.source.value, "hash:" + review.content_hash)
            )
            if key in seen:
                row = ImportRow(line, review, (*row.errors, "duplicate"))
            seen.add(key)
        rows.append(row)
    return ImportPreview(
        tuple(rows),
        dict(columns),
        "json" if is_json else "csv",
        encoding,
    )


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the encoding found: UTF-8 (with or without BOM), UTF-16 or
    UTF-32 (BOM, or UTF-16 without one), else Windows-1252. ``ImportRejected`` (reason
    ``not_text`` or ``bad_encoding``) otherwise."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _decode(data, name), name
    sample = data[:4096]
    if sample and sample.count(0) * 4 >= len(sample):
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        name = "utf-16-le" if odd > even else "utf-16-be"
        return _decode(data, name), name
    if b"\x00" in data:
        raise ImportRejected("the file is not text", field="file", reason="not_text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode(data, "cp1252"), "cp1252"


def _decode(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ImportRejected(
            f"the file is not valid {encoding} text", field="file", reason="bad_encoding"
        ) from error
    if "\x00" in text:
        raise ImportRejected("the file is not text", field="file", reason="not_text")
    return text


def normalise_header(name: str) -> str:
    """A column name as ``SYNONYMS`` spells it: "reviewText", "Review_Text" and
    "review-text" all become "review text"."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", spaced.casefold()).split())


def match_columns(header: Iterable[str]) -> dict[str, str]:
    """Which column of ``header`` holds each field (``field -> column``); a column is used
    for one field only, the first synonym present wins."""
    by_name: dict[str, str] = {}
    for name in header:
        by_name.setdefault(normalise_header(name), name)
    used: set[str] = set()
    found: dict[str, str] = {}
    for name in FIELDS:
        for synonym in SYNONYMS[name]:
            column = by_name.get(synonym)
            if column is not None and column not in used:
                found[name] = column
                used.add(column)
                break
    return found


_Entries = list[tuple[int, Mapping[str, str] | None]]


def _json_records(text: str) -> tuple[list[str], _Entries]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ImportRejected(
            f"the file is not valid JSON: {error}", field="file", reason="bad_json"
        ) from error
    items: Any = document
    if isinstance(document, Mapping):
        items = next(
            (
                document[k]
                for k in ("reviews", "data", "items")
                if isinstance(document.get(k), list)
            ),
            None,
        )
    if not isinstance(items, list):
        raise ImportRejected(
            'the JSON holds no list of reviews (a list, or {"reviews": [...]})',
            field="file",
            reason="no_reviews",
        )
    header: dict[str, None] = {}
    entries: _Entries = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            entries.append((i, None))
            continue
        flat = dict(_flatten(item))
        header.update(dict.fromkeys(flat))
        entries.append((i, flat))
    return list(header), entries


def _flatten(
    item: Mapping[Any, Any], prefix: str = "", depth: int = 0
) -> Iterator[tuple[str, str]]:
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and depth < 3:
            yield from _flatten(value, name + ".", depth + 1)
        elif value is None:
            yield name, ""
        elif isinstance(value, str):
            yield name, value
        elif isinstance(value, bool):
            yield name, str(value).lower()
        elif isinstance(value, int | float):
            yield name, repr(value) if isinstance(value, float) else str(value)
        else:
            yield name, json.dumps(value, ensure_ascii=False)[: MAX_TEXT + 1]


def _csv_records(text: str, max_rows: int) -> tuple[list[str], _Entries]:
    sample = text[:64_000]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    entries: _Entries = []
    try:
        header = next(reader, None)
        if header is None:
            raise ImportRejected("the file is empty", field="file", reason="empty")
        header = [h.strip() for h in header]
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(entries) >= max_rows:
                raise ImportRejected(
                    f"the file has more than {max_rows} rows",
                    field="file",
                    reason="too_many_rows",
                )
            entries.append(
                (reader.line_num, {h: v for h, v in zip(header, record, strict=False) if h})
            )
    except csv.Error as error:
        raise ImportRejected(
            f"the CSV file is broken near line {reader.line_num}: {error}",
            field="file",
            reason="bad_csv",
            line=reader.line_num,
        ) from error
    return header, entries


def _profile_source(header: Iterable[str]) -> Source | None:
    names = {normalise_header(h) for h in header}
    if names & {"star rating", "reviewer display name", "review reply comment"}:
        return Source.GOOGLE
    if names & {"recommendation type", "open graph story id"}:
        return Source.FACEBOOK
    return None


def _row(
    line: int,
    entry: Mapping[str, str],
    *,
    columns: Mapping[str, str],
    now: datetime,
    default_source: Source | None,
    guessed: Source | None,
) -> ImportRow:
    def cell(name: str) -> str:
        column = columns.get(name)
        return "" if column is None else str(entry.get(column, "") or "")

    errors: list[str] = []
    text = clean_text(cell("text"))
    if not text:
        errors.append("missing_text")
    elif len(text) > MAX_TEXT:
        errors.append("text_too_long")
    rating_cell = cell("rating")
    rating = parse_rating(rating_cell)
    if rating is None and rating_cell.strip():
        errors.append("bad_rating")
    posted_at = now
    if cell("date").strip():
        parsed = parse_date(cell("date"), now.tzinfo or UTC)
        if parsed is None:
            errors.append("bad_date")
        elif parsed > now + timedelta(days=1):
            errors.append("future_date")
        else:
            posted_at = parsed
    url = cell("url").strip()
    if url and not _is_web_address(url):
        errors.append("bad_url")
    if errors:
        return ImportRow(line, None, tuple(errors))
    source = (
        source_of(cell("source"))
        or default_source
        or (source_from_url(url) if url else None)
        or guessed
        or Source.OTHER
    )
    author = clean_line(cell("author"))[:MAX_AUTHOR]
    kind = ItemKind.MENTION if cell("kind").strip().casefold() == "mention" else ItemKind.REVIEW
    review = Review(
        id=None,
        kind=kind,
        source=source,
        external_id=clean_line(cell("external_id"))[:MAX_ID],
        author=author,
        rating=rating,
        posted_at=posted_at,
        text=text,
        url=url,
        content_hash=content_hash(source, author, posted_at, text),
        collected_at=now,
        status=ReviewStatus.NEW,
    )
    return ImportRow(line, review)


def clean_text(value: str) -> str:
    """Review text as stored: line breaks unified, control characters (except tab and line
    break) and lone surrogates removed, outer whitespace trimmed. Markup is left exactly as
    written: the text is plain text."""
    unified = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        c
        for c in unified
        if c in "\n\t" or not (unicodedata.category(c) in ("Cc", "Cs") or c in "\u2028\u2029")
    )
    return kept.strip()


def clean_line(value: str) -> str:
    """A one-line value (author, id): ``clean_text`` with whitespace runs made one space."""
    return " ".join(clean_text(value).split())


def parse_rating(value: str) -> int | None:
    """1–5 stars from "4", "4.0", "4/5", "4 out of 5", "4 stars", "★★★★☆" or "FOUR";
    ``None`` for an empty or unreadable value or one outside 1–5."""
    raw = value.strip()
    if not raw:
        return None
    stars = sum(raw.count(s) for s in _STARS)
    if stars and all(c in _STARS + _EMPTY_STARS or c.isspace() or c == "\ufe0f" for c in raw):
        return stars if 1 <= stars <= 5 else None
    lower = raw.casefold()
    lower = re.sub(r"\s*(?:stars?|star rating)$", "", lower).strip()
    if lower in _NUMBER_WORDS:
        return _NUMBER_WORDS[lower]
    match = re.fullmatch(r"(\d+(?:[.,]0+)?)\s*(?:(?:/|out of|of)\s*(5|5[.,]0+))?", lower)
    if match is None:
        return None
    number = int(float(match.group(1).replace(",", ".")))
    return number if 1 <= number <= 5 else None


_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_TIME = r"(?:[ T,]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?"
_NUMERIC = re.compile(rf"(?P<a>\d{{1,2}})[/.-](?P<b>\d{{1,2}})[/.-](?P<y>\d{{2}}|\d{{4}}){_TIME}")
_MONTH_FIRST = re.compile(
    rf"(?:[a-z]+,?\s+)?(?P<m>[a-z]+)\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}}){_TIME}"
)
_DAY_FIRST = re.compile(
    rf"(?:[a-z]+,?\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>[a-z]+)\.?,?\s+(?P<y>\d{{4}}){_TIME}"
)


def parse_date(value: str, zone: tzinfo = UTC) -> datetime | None:
    """An aware UTC datetime from the formats in the module documentation; ``zone`` for
    dates written without one. ``None`` when the value is not a date."""
    raw = " ".join(value.strip().split())
    if not raw or len(raw) > 64:
        return None
    try:
        return _parse_date(raw, zone)
    except (ValueError, OverflowError, OSError):
        return None


def _parse_date(raw: str, zone: tzinfo) -> datetime | None:
    if re.fullmatch(r"\d{9,13}(?:\.\d+)?", raw):
        seconds = float(raw)
        if seconds > 1e11:
            seconds /= 1000
        return datetime.fromtimestamp(seconds, UTC)
    iso = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    iso = re.sub(r"(\.\d{6})\d+", r"\1", iso)  # nanoseconds (Google's createTime)
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
    if parsed is not None:
        return _zoned(parsed, zone)
    if "," in raw and re.search(r"[+-]\d{4}$|GMT$|UT$", raw):
        try:
            return _zoned(parsedate_to_datetime(raw), zone)
        except (TypeError, ValueError, IndexError):
            return None
    lower = raw.casefold()
    match = _NUMERIC.fullmatch(lower)
    if match is not None:
        a, b = int(match["a"]), int(match["b"])
        month, day = (b, a) if a > 12 >= b else (a, b)
        return _build(_year(match["y"]), month, day, match, zone)
    for pattern in (_MONTH_FIRST, _DAY_FIRST):
        match = pattern.fullmatch(lower)
        if match is not None and match["m"] in _MONTHS:
            return _build(int(match["y"]), _MONTHS[match["m"]], int(match["d"]), match, zone)
    return None


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _build(year: int, month: int, day: int, match: re.Match[str], zone: tzinfo) -> datetime:
    hour = int(match["h"] or 0)
    minute = int(match["mi"] or 0)
    second = int(match["s"] or 0)
    ampm = (match["ampm"] or "").replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    return _zoned(datetime(year, month, day, hour, minute, second), zone)


def _zoned(moment: datetime, zone: tzinfo) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def source_of(value: str) -> Source | None:
    """The ``Source`` a cell names ("Google Maps", "yelp.com", "FB"), ``None`` when empty or
    unknown (the row then falls back to the dialog's choice, the URL or the export's shape)."""
    key = normalise_header(value)
    if not key:
        return None
    if key in _SOURCE_NAMES:
        return _SOURCE_NAMES[key]
    key = re.sub(r" (?:com|net|org)$", "", key)
    return _SOURCE_NAMES.get(key)


def source_from_url(url: str) -> Source | None:
    """The review site of a web address, ``None`` for any other site."""
    host = (urlsplit(url.strip()).hostname or "").casefold()
    for marker, source in _HOSTS:
        if marker in host:
            return source
    return None


def _is_web_address(url: str) -> bool:
    if len(url) > MAX_URL or any(c.isspace() or unicodedata.category(c) == "Cc" for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.casefold() in ("http", "https") and bool(parts.hostname)


# --- pasted -------------------------------------------------------------------------------

_RELATIVE = re.compile(
    r"^(?:(?:edited|posted|reviewed)\s+)?(?P<n>an?|one|\d+)\s+(?P<unit>minute|hour|day|week|"
    r"month|year)s?\s+ago$"
)
_UNIT_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
_RATED = re.compile(r"^(?:rated\s+)?(?P<r>.+?)(?:\s+out of 5| stars?|/5)?$")
_URL_IN_TEXT = re.compile(r"https?://\S+")


def parse_pasted(text: str, *, now: datetime) -> Review:
    """One review pasted from a review site: the text, with the lines a site shows around it
    recognised and taken out: the stars ("★★★★☆", "4/5", "Rated 4 out of 5"), the date
    ("3 weeks ago", "yesterday", "March 5, 2024"), the review's address (its site becomes the
    source) and the author (a short first line). ``ValidationError`` (field ``text``, reason
    ``missing``) when nothing is left; reason ``too_long`` over 20,000 characters."""
    moment = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    lines = [clean_line(line) for line in clean_text(text).split("\n")]
    body: list[str] = []
    rating: int | None = None
    posted_at: datetime | None = None
    url = ""
    author = ""
    for index, line in enumerate(lines):
        if not line:
            body.append("")
            continue
        lower = line.casefold()
        if rating is None and (found := _pasted_rating(lower)) is not None:
            rating = found
            continue
        if posted_at is None and (when := _pasted_date(lower, line, moment)) is not None:
            posted_at = when
            continue
        if not url and _URL_IN_TEXT.fullmatch(line) and _is_web_address(line):
            url = line
            continue
        if (
            not author
            and not body
            and index + 1 < len(lines)
            and len(line) <= 40
            and not line.endswith(("!", "?"))
            and not (line.endswith(".") and len(line.split()[-1]) > 3)
            and len(line.split()) <= 4
        ):
            author = line
            continue
        body.append(line)
    content = "\n".join(body).strip()
    content = re.sub(r"\n{3,}", "\n\n", content)
    if not content:
        if author:  # a single short line is the review itself
            content, author = author, ""
        else:
            raise ValidationError("the pasted text holds no review", field="text", reason="missing")
    if len(content) > MAX_TEXT:
        raise ValidationError("the review is too long", field="text", reason="too_long")
    source = (source_from_url(url) if url else None) or Source.OTHER
    when = posted_at or moment
    return Review(
        id=None,
        kind=ItemKind.REVIEW,
        source=source,
        external_id="",
        author=author[:MAX_AUTHOR],
        rating=rating,
        posted_at=when,
        text=content,
        url=url,
        content_hash=content_hash(source, author, when, content),
        collected_at=moment,
        status=ReviewStatus.NEW,
    )


def _pasted_rating(lower: str) -> int | None:
    if any(s in lower for s in _STARS + _EMPTY_STARS):
        return parse_rating(lower)
    match = _RATED.fullmatch(lower)
    if match is None or not (
        lower.startswith("rated") or "out of 5" in lower or "star" in lower or "/5" in lower
    ):
        return None
    return parse_rating(match["r"])


def _pasted_date(lower: str, line: str, now: datetime) -> datetime | None:
    if lower in ("today", "just now"):
        return now
    if lower == "yesterday":
        return now - timedelta(days=1)
    match = _RELATIVE.fullmatch(lower)
    if match is not None:
        n = 1 if match["n"] in ("a", "an", "one") else int(match["n"])
        return now - timedelta(days=n * _UNIT_DAYS[match["unit"]])
    stripped = re.sub(r"^(?:posted|reviewed|date|updated)\s*:?\s*", "", line, flags=re.I)
    parsed = parse_date(stripped, now.tzinfo or UTC)
    if parsed is not None and parsed <= now + timedelta(days=1):
        return parsed
    return None
