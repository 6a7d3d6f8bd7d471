"""A photo's alt text on SQLCipher and PostgreSQL: kept in the row's JSON data (no column, no
migration), read back with the record, and absent from rows written before alt texts existed."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import update

from storage.models import IMAGE
from tests.storage.test_images import Uow, record, someone

ALT = "Two hygienists laughing beside the plant wall – “welcome”, with an emoji 😀."


def test_alt_text_round_trips_in_the_json_data(uow: Uow) -> None:
    by = someone(uow)
    with uow() as tx:
        added = tx.images.add(record(by, alt_text=ALT))
    assert added.id is not None
    assert added.alt_text == ALT
    with uow() as tx:
        saved = tx.images.save(replace(added, alt_text=""), added.version)
        assert tx.images.get(added.id) == saved
        assert saved.alt_text == ""
        row = tx.session.execute(IMAGE.select().where(IMAGE.c.id == added.id)).one()
        assert json.loads(row.data)["alt_text"] == ""


def test_a_row_written_before_alt_texts_reads_as_none(uow: Uow) -> None:
    by = someone(uow)
    with uow() as tx:
        added = tx.images.add(record(by, alt_text=ALT))
        assert added.id is not None
        row = tx.session.execute(IMAGE.select().where(IMAGE.c.id == added.id)).one()
        data = json.loads(row.data)
        del data["alt_text"]
        tx.session.execute(
            update(IMAGE).where(IMAGE.c.id == added.id).values(data=json.dumps(data))
        )
    with uow() as tx:
        assert tx.images.get(added.id) == replace(added, alt_text="")
