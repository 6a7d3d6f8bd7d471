"""The demo practice: "Maple Grove Family Dental", every name invented.

Built through the same services the app uses, so demo data obeys every rule (and is audited).
Later features add their own sample data here.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from core.app import Services
from core.practice.model import Practice, Specialty
from core.practice.service import Versioned
from core.progress import Progress
from core.staff.model import Role, StaffMember

DEMO_PIN = "2468"
"""Every demo user's PIN (shown on the demo sign-in screen)."""

DEMO_PRACTICE = Practice(
    name="Maple Grove Family Dental",
    specialty=Specialty.DENTAL,
    address="1200 Maple Grove Ave, Suite 4, Springfield, IL 62704",
    phone="(217) 555-0142",
    website="https://maplegrove-dental.example",
    timezone="America/Chicago",
)


@dataclass(frozen=True, slots=True)
class DemoStaff:
    admin: StaffMember
    front_desk: StaffMember
    manager: StaffMember
    doctor: StaffMember


def create_demo_practice(services: Services, *, with_posts: bool = True) -> DemoStaff:
    """Fill an empty database with the demo practice (``demo_steps`` run to the end)."""
    steps = demo_steps(services, with_posts=with_posts)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            staff: DemoStaff = done.value
            return staff


DEMO_PARTS = ("posts", "images", "consent", "reviews", "incentives")
"""The parts ``demo_steps`` builds one after another (its ``Progress`` labels)."""


def demo_steps(
    services: Services, *, with_posts: bool = True
) -> Generator[Progress, None, DemoStaff]:
    """Fill an empty database with the demo practice, its staff and (``with_posts``) about
    forty posts in every state of the workflow, and the consent tracker's patients,
    authorizations in every status and a takedown (``core.demo_consent``), the photo library
    in every status of the image checklist (``core.demo_images``), and the review inbox's
    reviews, mentions and feed (``core.demo_reviews``), and a year of the staff incentive
    log (``core.demo_incentives``).

    A generator: it yields a ``Progress`` (label: the part about to be built, one of
    ``DEMO_PARTS``) before each part, so the first ``--demo`` start can show how far it is;
    building takes a few seconds, the reviews' replies most."""
    total = len(DEMO_PARTS) if with_posts else 0
    admin = services.staff.create_first_admin("Priya Raman", DEMO_PIN)
    services.practice.save_practice(admin, Versioned(DEMO_PRACTICE, None))
    front = services.staff.add(admin, "Jenna Ortiz", Role.FRONT_DESK, DEMO_PIN)
    manager = services.staff.add(admin, "Marcus Bell", Role.APPROVER, DEMO_PIN)
    doctor = services.staff.add(admin, "Dr. Helen Okafor", Role.DOCTOR, DEMO_PIN)
    staff = DemoStaff(admin=admin, front_desk=front, manager=manager, doctor=doctor)
    if with_posts:
        # Imported here: the posts module loads the composer, which start-up does not need.
        from core.demo_consent import create_demo_consent
        from core.demo_images import create_demo_images
        from core.demo_incentives import create_demo_incentives
        from core.demo_posts import create_demo_posts
        from core.demo_reviews import create_demo_reviews

        yield Progress(0, total, "posts")
        create_demo_posts(services, staff)
        yield Progress(1, total, "images")
        create_demo_images(services, staff)  # clears the photos the consent demo posts
        yield Progress(2, total, "consent")
        create_demo_consent(services, staff)
        yield Progress(3, total, "reviews")
        create_demo_reviews(services, staff)
        yield Progress(4, total, "incentives")
        create_demo_incentives(services, staff)  # last: credits what the others did
        yield Progress(total, total, "")
    return staff


def demo_front_desk(services: Services) -> StaffMember:
    """The demo's front-desk user, whom ``--demo`` signs in."""
    return next(m for m in services.staff.list() if m.role is Role.FRONT_DESK)
