"""Consent benchmark: search as you type over 50,000 patients (target <= 50 ms per query).

Builds an encrypted SQLCipher database in a temporary folder through the real storage (the
migrations, the patient tables, their search keys and name tokens as the repository writes
them, in bulk), then times ``ConsentService.search_patients`` end to end (a unit of work, the
SQL query, the rows turned into ``Patient``s) for 1, 2 and 3 letters, a last name's prefix,
the start of a phone number and its last four digits. Each line's value is the median over
the runs, each run cycling through several queries of that kind.

Prints JSON lines: {"name", "value", "unit", "baseline", "ratio"}.

    uv run python bench/consent.py [--patients 50000] [--runs 30]
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from core.clock import ManualClock  # noqa: E402
from core.consent import rules  # noqa: E402
from core.consent.model import Patient  # noqa: E402
from core.consent.service import ConsentService  # noqa: E402
from storage.engine import DatabaseConfig, open_database  # noqa: E402
from storage.migrate import migrate  # noqa: E402
from storage.models import PATIENT, PATIENT_NAME_TOKEN  # noqa: E402
from storage.repositories.consent import _patient_values  # noqa: E402
from storage.uow import unit_of_work_factory  # noqa: E402

FIRST = [
    "Ana",
    "Ben",
    "Carla",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jamal",
    "Kofi",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Xavier",
    "Yara",
    "Zane",
    "Amelia",
    "Bruno",
    "Chloe",
    "Diego",
    "Esme",
    "Felix",
    "Gemma",
    "Hugo",
    "Isla",
    "Jonah",
    "Kira",
    "Liam",
    "Maya",
    "Nico",
    "Olive",
    "Pablo",
    "Rhea",
    "Soren",
    "Thea",
    "Ugo",
    "Vera",
    "Wade",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Marisol",
    "Martin",
    "Marcus",
    "Maria",
    "Mark",
    "Marta",
    "Mary",
]
LAST = [
    "Abernathy",
    "Baker",
    "Castillo",
    "Dunmore",
    "Eckhart",
    "Fairweather",
    "Galloway",
    "Hollingsworth",
    "Iverson",
    "Jablonski",
    "Kettering",
    "Lindqvist",
    "Montgomery",
    "Nakashima",
    "Oyelaran",
    "Pemberton",
    "Quintero",
    "Rasmussen",
    "Sandoval",
    "Thistlewood",
    "Underhill",
    "Valderrama",
    "Whitcombe",
    "Yarborough",
    "Zimmerli",
    "Ashcroft",
    "Blackwood",
    "Crowther",
    "Delacroix",
    "Ellery",
    "Fenwick",
    "Grimaldi",
    "Hargreave",
    "Ishikawa",
    "Juarez",
    "Kowalczyk",
    "Larkspur",
    "Mbeki",
    "Northcott",
    "Okafor",
    "Park",
    "Reyes",
    "Smith",
    "Tanaka",
    "Nguyen",
    "Garcia",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
]


def build(patients: int, folder: Path) -> ConsentService:
    db = open_database(DatabaseConfig.sqlite(folder / "bench.db", secrets.token_bytes(32)))
    migrate(db)
    clock = ManualClock()
    uow = unit_of_work_factory(db, clock)
    rng = random.Random(50_000)
    now = datetime(2026, 11, 2, tzinfo=UTC)
    batch: list[dict[str, object]] = []
    tokens: list[dict[str, object]] = []
    next_id = 1
    with uow() as tx:
        for n in range(patients):
            first = rng.choice(FIRST)
            if rng.random() < 0.05:
                first = f"{first} {rng.choice(FIRST)}"
            person = Patient(
                id=next_id,
                first_name=first,
                last_name=rng.choice(LAST),
                preferred_name=rng.choice(FIRST) if rng.random() < 0.1 else "",
                date_of_birth=date(rng.randrange(1930, 2024), rng.randrange(1, 13), 1),
                phone=f"({rng.randrange(200, 990)}) 555-{n % 10_000:04d}",
            )
            batch.append(
                {**_patient_values(person), "id": next_id, "version": 1}
                | {"created_at": now, "updated_at": now}
            )
            tokens += [{"token": t, "patient_id": next_id} for t in rules.name_tokens(person)]
            next_id += 1
            if len(batch) == 5000:
                tx.session.execute(insert(PATIENT), batch)
                tx.session.execute(insert(PATIENT_NAME_TOKEN), tokens)
                batch, tokens = [], []
        if batch:
            tx.session.execute(insert(PATIENT), batch)
            tx.session.execute(insert(PATIENT_NAME_TOKEN), tokens)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return ConsentService(uow, clock, tz=lambda: ZoneInfo("America/Chicago"), media=None)


def median_ms(consent: ConsentService, queries: list[str], runs: int) -> float:
    times = []
    for n in range(runs):
        text = queries[n % len(queries)]
        start = time.perf_counter()
        consent.search_patients(text, limit=50)
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 3)


def line(name: str, value: float) -> str:
    return json.dumps({"name": name, "value": value, "unit": "ms", "baseline": None, "ratio": None})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        consent = build(args.patients, Path(folder))
        build_ms = round((time.perf_counter() - start) * 1000, 1)
        assert consent.count_patients() == args.patients
        print(line(f"consent_build_{args.patients}_patients", build_ms))
        cases = {
            "search_1_letter": ["m", "a", "s", "j", "k", "w"],
            "search_2_letters": ["ma", "an", "sa", "jo", "ke", "wh"],
            "search_3_letters": ["mar", "ana", "san", "jab", "ket", "whi"],
            "search_last_name_prefix": ["hollings", "martine", "thistle", "rasmus", "oyela"],
            "search_phone_start": ["(312) 555", "41555", "9905550"],
            "search_phone_last_4": ["0142", "9876", "5555", "1234"],
            "search_two_words": ["mar mart", "ana ki", "j smith"],
        }
        for name, queries in cases.items():
            consent.search_patients(queries[0])  # warm the page cache, as typing does
            print(line(f"{name}_{args.patients}", median_ms(consent, queries, args.runs)))


if __name__ == "__main__":
    main()
