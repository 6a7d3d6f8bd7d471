"""The photo library and the photo spots (``core.imaging.ports``).

An image row keeps what lists filter, sort and count by in columns (status, import time,
file name, notes, whether it was scanned) and the checklist as JSON in ``data``
(``core.imaging.checklist.record_data_to_json``): the report, answers, people, redactions
and sign-off are read and written whole, with the row's version.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, insert, or_, select, true, update
from sqlalchemy.orm import Session

from core.errors import EditConflict, NotFound
from core.imaging.checklist import record_data_from_json, record_data_to_json
from core.imaging.model import ImageRecord, ImageStatus, PhotoSpot
from core.imaging.ports import ImageQuery
from storage.models import IMAGE, PHOTO_SPOT

_I, _S = IMAGE, PHOTO_SPOT


def _values(record: ImageRecord) -> dict[str, Any]:
    return {
        "media_hash": record.media_hash,
        "filename": record.filename,
        "imported_at": record.imported_at,
        "imported_by": record.imported_by,
        "width": record.width,
        "height": record.height,
        "format": record.format,
        "size_bytes": record.size_bytes,
        "thumbnail_hash": record.thumbnail_hash,
        "status": record.status.value,
        "scanned_at": record.report.scanned_at if record.report else None,
        "spot_id": record.spot_id,
        "notes": record.notes,
        "data": json.dumps(record_data_to_json(record), separators=(",", ":")),
    }


def _record(row: Any) -> ImageRecord:
    return ImageRecord(
        id=row.id,
        media_hash=row.media_hash,
        filename=row.filename,
        imported_at=row.imported_at,
        imported_by=row.imported_by,
        width=row.width,
        height=row.height,
        format=row.format,
        size_bytes=row.size_bytes,
        thumbnail_hash=row.thumbnail_hash,
        status=ImageStatus(row.status),
        spot_id=row.spot_id,
        notes=row.notes,
        version=row.version,
        **record_data_from_json(json.loads(row.data)),
    )


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    condition: ColumnElement[bool] = func.lower(column).like(f"%{escaped}%", escape="\\")
    return condition


def _where(query: ImageQuery) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if query.statuses:
        conditions.append(_I.c.status.in_(sorted(ImageStatus(s).value for s in query.statuses)))
    if query.imported_before is not None:
        conditions.append(_I.c.imported_at < query.imported_before)
    for word in query.text.split():
        conditions.append(or_(_contains(_I.c.filename, word), _contains(_I.c.notes, word)))
    return and_(true(), *conditions)


class SqlImageRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, record: ImageRecord) -> ImageRecord:
        if self.by_hashes([record.media_hash]):
            raise EditConflict("This photo is already in the library.", entity="image")
        values = {**_values(record), "version": 1}
        new_id = self._session.execute(insert(_I).values(**values).returning(_I.c.id)).scalar_one()
        return self.get(new_id)

    def get(self, image_id: int) -> ImageRecord:
        row = self._session.execute(select(_I).where(_I.c.id == image_id)).one_or_none()
        if row is None:
            raise NotFound("No such photo.", entity="image", id=image_id)
        return _record(row)

    def by_hashes(self, media_hashes: Collection[str]) -> dict[str, ImageRecord]:
        hashes = builtins.list(set(media_hashes))
        found: dict[str, ImageRecord] = {}
        for start in range(0, len(hashes), 500):
            rows = self._session.execute(
                select(_I).where(_I.c.media_hash.in_(hashes[start : start + 500]))
            )
            found.update((row.media_hash, _record(row)) for row in rows)
        return found

    def save(self, record: ImageRecord, expected_version: int) -> ImageRecord:
        assert record.id is not None
        self.get(record.id)
        result = self._session.execute(
            update(_I)
            .where(_I.c.id == record.id, _I.c.version == expected_version)
            .values(**_values(record), version=expected_version + 1)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise EditConflict("Someone else changed this photo first.", entity="image")
        return self.get(record.id)

    def _page(self, query: ImageQuery) -> Select[Any]:
        return (
            select(_I)
            .where(_where(query))
            .order_by(_I.c.imported_at.desc(), _I.c.id.desc())
            .offset(max(0, query.offset))
            .limit(max(1, query.limit))
        )

    def list(self, query: ImageQuery) -> builtins.list[ImageRecord]:
        return [_record(row) for row in self._session.execute(self._page(query))]

    def count(self, query: ImageQuery) -> int:
        return self._session.execute(
            select(func.count()).select_from(_I).where(_where(query))
        ).scalar_one()

    def status_counts(self) -> dict[ImageStatus, int]:
        rows = self._session.execute(select(_I.c.status, func.count()).group_by(_I.c.status))
        return {ImageStatus(status): count for status, count in rows}

    def unscanned(self, limit: int) -> builtins.list[int]:
        rows = self._session.execute(
            select(_I.c.id)
            .where(_I.c.scanned_at.is_(None), _I.c.status != ImageStatus.REJECTED.value)
            .order_by(_I.c.imported_at, _I.c.id)
            .limit(limit)
        )
        return [row.id for row in rows]


def _spot(row: Any) -> PhotoSpot:
    return PhotoSpot(
        id=row.id,
        name=row.name,
        notes=row.notes,
        reference_hash=row.reference_hash,
        active=row.active,
        version=row.version,
    )


def _spot_values(spot: PhotoSpot) -> dict[str, Any]:
    return {
        "name": spot.name,
        "notes": spot.notes,
        "reference_hash": spot.reference_hash,
        "active": spot.active,
    }


class SqlPhotoSpotRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def list(self, *, include_inactive: bool = False) -> builtins.list[PhotoSpot]:
        query = select(_S).order_by(func.lower(_S.c.name), _S.c.id)
        if not include_inactive:
            query = query.where(_S.c.active.is_(True))
        return [_spot(row) for row in self._session.execute(query)]

    def get(self, spot_id: int) -> PhotoSpot:
        row = self._session.execute(select(_S).where(_S.c.id == spot_id)).one_or_none()
        if row is None:
            raise NotFound("No such photo spot.", entity="photo_spot", id=spot_id)
        return _spot(row)

    def add(self, spot: PhotoSpot) -> PhotoSpot:
        new_id = self._session.execute(
            insert(_S).values(**_spot_values(spot), version=1).returning(_S.c.id)
        ).scalar_one()
        return self.get(new_id)

    def save(self, spot: PhotoSpot, expected_version: int) -> PhotoSpot:
        assert spot.id is not None
        self.get(spot.id)
        result = self._session.execute(
            update(_S)
            .where(_S.c.id == spot.id, _S.c.version == expected_version)
            .values(**_spot_values(spot), version=expected_version + 1)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise EditConflict("Someone else changed this photo spot first.", entity="photo_spot")
        return self.get(spot.id)
