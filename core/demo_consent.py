"""The demo practice's consent records: about two hundred invented patients with
authorizations in every status, three drawn "smile" photos in the media vault, a post that
went out with one of them, and that patient's revocation (so Today shows a takedown).

Every name is generated from the lists below: nobody real. Built through the services, so
every record obeys the rules and is audited.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from core.app import Services
from core.clock import ManualClock
from core.consent.model import (
    Authorization,
    MediaKind,
    Patient,
    Purpose,
    RevocationChannel,
)
from core.demo import DEMO_PRACTICE, DemoStaff

_FIRST = (
    "Avery", "Bianca", "Caleb", "Delia", "Emmett", "Fiona", "Gideon", "Harriet", "Ivo", "Juniper",
    "Kellan", "Lorna", "Milo", "Nadia", "Oren", "Paloma", "Quentin", "Rhea", "Silas", "Tamsin",
    "Ulric", "Vera", "Wendell", "Ximena", "Yusuf", "Zelda", "Anouk", "Bram", "Cosima", "Dashiell",
    "Elodie", "Fabian", "Greta", "Hollis", "Inès", "Jasper", "Kiana", "Leopold", "Marisol",
    "Niall",
)  # fmt: skip
_LAST = (
    "Abernathy", "Balderrama", "Castellano", "Dunmore", "Eckhart", "Fairweather", "Galloway",
    "Hollingsworth", "Iverson", "Jablonski", "Kettering", "Lindqvist", "Montgomery", "Nakashima",
    "Oyelaran", "Pemberton", "Quintero", "Rasmussen", "Sandoval", "Thistlewood", "Underhill",
    "Valderrama", "Whitcombe", "Yarborough", "Zimmerli", "Ashcroft", "Blackwood", "Crowther",
    "Delacroix-Moss", "Ellery", "Fenwick", "Grimaldi", "Hargreave", "Ishikawa", "Juarez-Pell",
    "Kowalczyk", "Larkspur", "Mbeki-Stone", "Northcott", "O'Rourke",
)  # fmt: skip
_AUTHORITIES = ("parent", "legal guardian")
_DESCRIPTIONS = (
    "Before-and-after photos of my smile from my whitening treatment",
    "A photo of me with the team at my last cleaning",
    "My written review of my visit, quoted word for word",
    "A short video of me talking about my new crown",
)

PATIENT_COUNT = 200


@dataclass(frozen=True, slots=True)
class DemoConsent:
    """What the demo made that tests and screenshots point at."""

    images: tuple[str, ...]
    revoked_authorization_id: int
    published_post_id: int


def smile_png(seed: int, size: int = 160) -> bytes:
    """A small drawn "smiling face" (no real person) as PNG bytes; ``seed`` varies it."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)  # noqa: S311 - invented demo data
    background = (rng.randrange(150, 230), rng.randrange(170, 235), rng.randrange(190, 250))
    skin = (rng.randrange(120, 250), rng.randrange(90, 210), rng.randrange(60, 170))
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    m = size // 10
    draw.ellipse((m, m, size - m, size - m), fill=skin, outline=(60, 40, 30), width=3)
    eye = size // 14
    for x in (size * 0.37, size * 0.63):
        draw.ellipse((x - eye, size * 0.38 - eye, x + eye, size * 0.38 + eye), fill=(40, 30, 30))
    draw.arc((size * 0.3, size * 0.4, size * 0.7, size * 0.72), 20, 160, fill=(90, 20, 30), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def create_demo_consent(services: Services, staff: DemoStaff) -> DemoConsent:
    """Patients, authorizations in every status, images, a published post with one of them,
    and that patient's revocation; dates follow ``services.clock``."""
    consent = services.consent
    today = consent.today()
    form = consent.form().version
    rng = random.Random(5)  # noqa: S311 - invented demo data
    desk = staff.front_desk
    images = tuple(consent.store_media(smile_png(n)) for n in range(3))

    def patient(n: int, *, minor: bool = False) -> Patient:
        first, last = _FIRST[n % len(_FIRST)], _LAST[(n * 7 + n // len(_FIRST)) % len(_LAST)]
        year = today.year - (rng.randrange(6, 16) if minor else rng.randrange(19, 85))
        return consent.add_patient(
            desk,
            Patient(
                id=None,
                first_name=first,
                last_name=last,
                preferred_name="Nia" if n == 13 else "",
                date_of_birth=date(year, rng.randrange(1, 13), rng.randrange(1, 29)),
                phone=f"(217) 555-{1000 + n:04d}",
                email=f"patient{n}@example.com" if n % 3 else "",
                minor=minor,
                representative_name=f"{_FIRST[(n + 11) % len(_FIRST)]} {last}" if minor else "",
                representative_authority=_AUTHORITIES[n % 2] if minor else "",
            ),
        )

    def authorization(p: Patient, **changes: Any) -> Authorization:
        assert p.id is not None
        signed = today - timedelta(days=rng.randrange(30, 500))
        base = Authorization(
            id=None,
            patient_id=p.id,
            form_version=form,
            media_kinds=frozenset({MediaKind.PHOTO}),
            media_description=_DESCRIPTIONS[p.id % len(_DESCRIPTIONS)],
            discloser=DEMO_PRACTICE.name,
            recipients=frozenset({"facebook", "instagram", "gbp", "website"}),
            purposes=frozenset({Purpose.SOCIAL_MEDIA, Purpose.MARKETING}),
            expires_on=signed + timedelta(days=730),
            signed_on=signed,
            signer_name=p.representative_name if p.minor else f"{p.first_name} {p.last_name}",
            representative_authority=p.representative_authority,
            statement_right_to_revoke=True,
            statement_treatment_not_conditioned=True,
            statement_redisclosure=True,
            copy_offered=True,
            copy_given=p.id % 4 != 0,
            first_name_only=p.id % 5 == 0,
            blur_face=p.id % 11 == 0,
            no_tagging=p.id % 3 == 0,
            taken_by=desk.id,
            taken_at=services.clock.now(),
        )
        return replace(base, **changes)

    def save(auth: Authorization) -> Authorization:
        return consent.save_authorization(desk, auth, signature_png=_signature(auth.patient_id))

    people = [patient(n, minor=n % 9 == 4) for n in range(PATIENT_COUNT)]
    for n, p in enumerate(people[3:], start=3):
        kind = n % 10
        if kind == 0:  # expiring soon: Today asks for a re-consent
            save(authorization(p, expires_on=today + timedelta(days=3 + n % 25)))
        elif kind == 1:  # expired
            save(
                authorization(
                    p,
                    signed_on=today - timedelta(days=800),
                    expires_on=today - timedelta(days=10 + n),
                )
            )
        elif kind == 2:  # incomplete: the statements were not ticked
            save(authorization(p, statement_redisclosure=False, statement_right_to_revoke=False))
        elif kind == 3:  # superseded by a newer one
            save(authorization(p, signed_on=today - timedelta(days=600)))
            save(authorization(p, signed_on=today - timedelta(days=20)))
        elif kind == 4:  # revoked by letter
            auth = save(authorization(p))
            assert auth.id is not None
            consent.revoke(
                desk,
                auth.id,
                auth.version,
                received_on=today - timedelta(days=n % 30),
                channel=RevocationChannel.LETTER,
            )
        elif kind == 5:  # an expiry event instead of a date
            save(authorization(p, expires_on=None, expiry_event="When I stop being a patient"))
        elif kind != 9:  # most are simply active; every tenth patient has none yet
            save(authorization(p))
    return _photo_story(
        services,
        staff=staff,
        people=people[:3],
        images=images,
        authorization=authorization,
        save=save,
    )


def _signature(seed: int) -> bytes:
    """A small drawn squiggle standing in for a pad signature."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)  # noqa: S311 - invented demo data
    image = Image.new("L", (240, 60), 255)
    draw = ImageDraw.Draw(image)
    points = [(10 + i * 22, 30 + rng.randrange(-18, 18)) for i in range(11)]
    draw.line(points, fill=0, width=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _photo_story(
    services: Services,
    *,
    staff: DemoStaff,
    people: list[Patient],
    images: tuple[str, ...],
    authorization: Callable[..., Authorization],
    save: Callable[[Authorization], Authorization],
) -> DemoConsent:
    """Three patients with photos: one whose photo went out in a published post and who then
    revoked (a takedown on Today; a scheduled post with their second photo is pulled back),
    and two whose photos are cleared for the scheduled posts to come."""
    consent = services.consent
    desk, manager = staff.front_desk, staff.manager
    revoking, smiling, laughing = people
    kept = save(authorization(revoking, media_hashes=(images[0], images[1])))
    save(authorization(smiling, media_hashes=(images[2],)))
    save(authorization(laughing, media_kinds=frozenset({MediaKind.PHOTO, MediaKind.TESTIMONIAL})))

    now = services.clock.now()
    clock = ManualClock(now - timedelta(days=9))
    composer = services.composer.as_of(clock)
    text = (
        "Smile of the week! Thank you for letting us share your brand-new smile. Book your "
        "whitening consultation at https://maplegrove-dental.example"
    )
    post = composer.new_draft(desk, text, ("facebook", "gbp"))
    post_id = post.id
    assert post_id is not None
    post = composer.autosave(desk, post_id, post.version, media=[images[0]])
    clock.advance(timedelta(minutes=20))
    post = composer.submit(desk, post_id, post.version)
    clock.advance(timedelta(hours=2))
    post = composer.approve(manager, post_id, post.version)
    clock.advance(timedelta(hours=1))
    urls = {
        "facebook": "https://www.facebook.com/maplegrove.dental.example/posts/2001",
        "gbp": "https://business.google.com/posts/maplegrove-dental-example/2001",
    }
    published = composer.record_manual_publish(desk, post_id, post.version, urls)

    later = composer.new_draft(
        desk,
        "Another happy smile from our chair this month! Book your cleaning at "
        "https://maplegrove-dental.example",
        ("facebook", "gbp"),
    )
    later_id = later.id
    assert later_id is not None
    later = composer.autosave(desk, later_id, later.version, media=[images[1]])
    clock.advance(timedelta(minutes=30))
    later = composer.submit(desk, later_id, later.version)
    clock.advance(timedelta(hours=1))
    later = composer.approve(manager, later_id, later.version)
    clock.set(now - timedelta(hours=2))
    composer.schedule(desk, later_id, later.version, _next_morning(now))

    assert kept.id is not None
    result = consent.revoke(
        desk,
        kept.id,
        kept.version,
        received_on=consent.today(),
        channel=RevocationChannel.EMAIL,
        note="Asked by e-mail to remove the photos.",
    )
    assert published.id is not None
    assert later_id in result.pulled_post_ids
    return DemoConsent(images, kept.id, published.id)


def _next_morning(now: datetime) -> datetime:
    return (now + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
