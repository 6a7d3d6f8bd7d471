"""How the import and add-a-review dialogs word what core reports as codes: the per-row
errors of an import preview, why a whole file was refused, the detected columns, and the
result of an import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

_CONTEXT = "ReviewsImport"


def tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def field_label(field: str) -> str:
    """A review field that an import column fills."""
    return {
        "source": tr("Site"),
        "external_id": tr("Site's review id"),
        "author": tr("Author"),
        "rating": tr("Stars"),
        "date": tr("Date"),
        "text": tr("Review text"),
        "url": tr("Link"),
        "kind": tr("Review or mention"),
    }.get(field, field.replace("_", " ").capitalize())


def row_error(code: str) -> str:
    """One problem with one row of an import (``core.reviews.importing`` codes), in plain
    words."""
    return {
        "missing_text": tr("The review text is empty."),
        "text_too_long": tr("The review text is longer than 20,000 characters."),
        "bad_rating": tr("The stars are not a number from 1 to 5."),
        "bad_date": tr("The date could not be read (2025-03-14 or 3/14/2025 work)."),
        "future_date": tr("The date is in the future."),
        "bad_url": tr("The link is not a web address (https://…)."),
        "not_an_object": tr("This entry is not a review (it has no fields)."),
        "duplicate": tr("The same review appears earlier in this file."),
    }.get(code, tr("This row could not be read ({code}).").format(code=code))


def row_errors(codes: tuple[str, ...]) -> str:
    return " ".join(row_error(code) for code in codes)


def rejected(reason: str) -> tuple[str, str]:
    """(title, what to do) for a file refused as a whole (``ImportRejected``'s ``reason``, or
    the dialog's own ``unreadable``)."""
    texts = {
        "not_text": (
            tr("This is not a CSV or JSON file"),
            tr(
                "Export the reviews from the site as CSV (a spreadsheet saved as .csv) or "
                "JSON, then choose that file."
            ),
        ),
        "bad_encoding": (
            tr("The file's characters could not be read"),
            tr("Save it again as UTF-8 (in Excel: Save As → “CSV UTF-8”) and choose the new file."),
        ),
        "too_big": (
            tr("This file is too big to import"),
            tr(
                "Split it into files of up to 20 MB and import them one after another; "
                "reviews already imported are skipped."
            ),
        ),
        "too_many_rows": (
            tr("This file has too many rows"),
            tr("Split it into files of up to 100,000 reviews and import them one by one."),
        ),
        "no_text_column": (
            tr("No column holds the review text"),
            tr(
                "The file needs a column named Text, Review or Comment with what the reviewer "
                "wrote. Rename that column's header in the spreadsheet and try again."
            ),
        ),
        "bad_json": (
            tr("The JSON could not be read"),
            tr(
                "It should be a list of reviews, or an object with a “reviews” list. Export it "
                "again from the site."
            ),
        ),
        "bad_csv": (
            tr("The CSV file is broken"),
            tr(
                "A quote is probably left open somewhere. Open it in a spreadsheet, save it as "
                "CSV again and choose the new file."
            ),
        ),
        "empty": (
            tr("The file is empty"),
            tr("Check that you chose the right file."),
        ),
        "no_reviews": (
            tr("The file has no reviews in it"),
            tr("Check that you chose the right file: it holds no rows under the header."),
        ),
        "unreadable": (
            tr("The file could not be opened"),
            tr("It may have been moved, or you may not have access to it. Choose it again."),
        ),
    }
    return texts.get(
        reason,
        (
            tr("This file could not be imported"),
            tr("Check that it is a CSV or JSON export of reviews and try again."),
        ),
    )


def add_problem(params: Mapping[str, Any]) -> str:
    """Why one typed-in or pasted review was not added (``ValidationError`` params)."""
    field, reason = str(params.get("field", "")), str(params.get("reason", ""))
    if field == "review" and reason == "duplicate":
        return tr("This review is already in the inbox, so it was not added again.")
    if field == "text" and reason == "too_long":
        return tr("The review text is longer than 20,000 characters.")
    if field == "text":
        return tr("Write or paste the review's text.")
    if field == "rating":
        return tr("Stars go from 1 to 5.")
    if field == "posted_at":
        return tr("Choose the date the review was posted.")
    return tr("Please check the review and try again.")


def counts_line(good: int, duplicates: int, with_errors: int) -> str:
    """ "120 ready to import · 3 already in the inbox · 2 with problems"."""
    parts = [
        tr("1 review ready to import")
        if good == 1
        else tr("{n} reviews ready to import").format(n=f"{good:,}")
    ]
    if duplicates:
        parts.append(
            tr("1 repeated in the file, skipped")
            if duplicates == 1
            else tr("{n} repeated in the file, skipped").format(n=f"{duplicates:,}")
        )
    if with_errors:
        parts.append(
            tr("1 row with problems, left out")
            if with_errors == 1
            else tr("{n} rows with problems, left out").format(n=f"{with_errors:,}")
        )
    return " · ".join(parts)


def import_button(good: int) -> str:
    if good == 1:
        return tr("Import 1 review")
    return tr("Import {n} reviews").format(n=f"{good:,}")


def result_line(added: int, duplicates: int, skipped_errors: int) -> str:
    """What an import did, in one or two sentences."""
    first = (
        tr("Imported 1 review.")
        if added == 1
        else tr("Imported {n} reviews.").format(n=f"{added:,}")
    )
    rest = []
    if duplicates:
        rest.append(
            tr("1 duplicate was skipped (already in the inbox, or repeated in the file).")
            if duplicates == 1
            else tr(
                "{n} duplicates were skipped (already in the inbox, or repeated in the file)."
            ).format(n=f"{duplicates:,}")
        )
    if skipped_errors:
        rest.append(
            tr("1 row with problems was left out.")
            if skipped_errors == 1
            else tr("{n} rows with problems were left out.").format(n=f"{skipped_errors:,}")
        )
    return " ".join([first, *rest])
