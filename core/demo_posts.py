"""The demo practice's posts: about forty, in every state of the workflow, all PHI-free.

Built through the composer service, so every post obeys the rules and is audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.app import Services
from core.clock import ManualClock
from core.composer.model import Post
from core.composer.service import ComposerService
from core.demo import DemoStaff
from core.staff.model import StaffMember

# Every text passes the PHI check clean and fits every platform it targets (a demo test checks).
_PUBLISHED = (
    (
        "Did you know? Flossing once a day removes plaque your toothbrush can't reach. Ask us for"
        " a quick flossing demo at your next cleaning!"
    ),
    (
        "Our office will be closed Monday for Labor Day. We'll be back Tuesday at 8 a.m. Call "
        "(217) 555-0142 to book your next visit."
    ),
    (
        "Meet Dr. Helen Okafor! She has cared for Springfield smiles for 15 years and loves "
        "teaching kids to brush. Book a visit: https://maplegrove-dental.example"
    ),
    (
        "Back-to-school tip: pack water instead of juice boxes. Sipping sugary drinks all day "
        "keeps teeth under acid attack. Learn more at https://maplegrove-dental.example"
    ),
    (
        "Sports season is here! A custom mouthguard protects teeth far better than a store-bought"
        " one. Call (217) 555-0142 to get fitted."
    ),
    (
        "Replace your toothbrush every three months, or sooner if the bristles fray. Your gums "
        "will thank you! Visit https://maplegrove-dental.example for more tips."
    ),
    (
        "We're proud to welcome our new hygienist Sam to the Maple Grove team! Stop by and say "
        "hello at your next cleaning."
    ),
    (
        "Sensitive teeth? Try a toothpaste for sensitivity and brush gently with a soft brush. If"
        " it lasts more than a few weeks, call us at (217) 555-0142."
    ),
    (
        "Happy Dental Hygiene Month! Our hygienists keep Springfield smiling all year. Book your "
        "cleaning online: https://maplegrove-dental.example"
    ),
    (
        "Chewing sugar-free gum after meals boosts saliva, which helps wash away food and "
        "neutralise acids. A small habit with big benefits! Learn more at "
        "https://maplegrove-dental.example"
    ),
    (
        "Our new evening hours start next week: Tuesdays and Thursdays until 7 p.m. Book a visit "
        "that fits your schedule at https://maplegrove-dental.example"
    ),
    (
        "Halloween candy tip: enjoy treats with a meal rather than grazing all evening, then "
        "drink a glass of water. Happy haunting from Maple Grove! Call us with questions."
    ),
    (
        "Thinking about whitening? Ask us which option suits your smile. Call (217) 555-0142 to "
        "book a consultation."
    ),
    (
        "Kids can start seeing the dentist by their first birthday. Early visits build healthy "
        "habits and calm nerves. Call (217) 555-0142 to book."
    ),
    (
        "Our team spent Saturday volunteering at the Springfield food bank. Thank you to everyone"
        " who donated! Visit https://maplegrove-dental.example to see how you can help."
    ),
    (
        "Bleeding gums are not normal. Gentle daily flossing often helps within two weeks; if "
        "not, book a check-up at https://maplegrove-dental.example"
    ),
    (
        "We're closed Thursday and Friday for Thanksgiving. Wishing you a warm holiday with "
        "family and friends! Call (217) 555-0142 to book for next week."
    ),
    (
        "Drinking fluoridated tap water is one of the easiest ways to prevent cavities. Learn "
        "more at https://maplegrove-dental.example"
    ),
    (
        "New to the area? Maple Grove Family Dental welcomes families of all ages. Book your "
        "first visit at https://maplegrove-dental.example"
    ),
    (
        "Grinding your teeth at night? Morning jaw aches and worn edges are common signs. Ask us "
        "about a night guard at your next visit, or call (217) 555-0142."
    ),
    (
        "Thank you, Springfield, for voting us a favorite family dentist this year! We're "
        "grateful to serve this community. Visit https://maplegrove-dental.example"
    ),
    (
        "Diabetes Awareness Month: gum health and blood sugar are closely linked. Regular "
        "cleanings are part of staying well. Book online at https://maplegrove-dental.example"
    ),
)
_SCHEDULED = (
    (
        "Flu season reminder: wash your hands, cover your cough, and replace your toothbrush "
        "after you've been sick. Call (217) 555-0142 with questions."
    ),
    (
        "Holiday hours: we close at noon on December 24 and reopen January 2. Book your year-end "
        "cleaning soon at https://maplegrove-dental.example"
    ),
    (
        "Meet Marcus, our office manager, who keeps every day running smoothly (and knows the "
        "best coffee in Springfield). Say hi at your next visit!"
    ),
    (
        "Use your dental benefits before they reset! Many plans renew in January. Call (217) "
        "555-0142 to book your cleaning."
    ),
)
_APPROVED = (
    (
        "National Brush Day tip: two minutes, twice a day. Play a favorite song to make it fun "
        "for kids! More tips at https://maplegrove-dental.example"
    ),
    (
        "Your tongue needs brushing too: it holds bacteria that cause bad breath. Give it a "
        "gentle brush tonight! Questions? Call (217) 555-0142."
    ),
    (
        "We're hiring a part-time dental assistant! Friendly, organised and love people? Learn "
        "more at https://maplegrove-dental.example"
    ),
)
_IN_REVIEW = (
    (
        "New Year, healthier smile! Set a goal to floss every night this January and tell us how "
        "it went at your next visit. Book at https://maplegrove-dental.example"
    ),
    (
        "Snow day policy: if Springfield schools close for weather, we'll call to reschedule "
        "morning visits. Questions? Call (217) 555-0142."
    ),
    (
        "Children's Dental Health Month is coming in February! Watch this page for fun brushing "
        "charts for kids. Visit https://maplegrove-dental.example"
    ),
)
_PUBLISHING = (
    "Our office is getting a fresh coat of paint! Pardon the smell this week; we're open as "
    "usual. Call (217) 555-0142 with questions."
)
_WITHDRAWN = (
    "Join us Saturday for our open house with tours, snacks and free toothbrushes for kids! RSVP "
    "at https://maplegrove-dental.example"
)
_DRAFTS = (
    (
        "Valentine's tip: show your smile some love with a cleaning. Book at "
        "https://maplegrove-dental.example"
    ),
    (
        "Did you know enamel is the hardest substance in the human body? Protect it with fluoride"
        " toothpaste."
    ),
    (
        "Spring cleaning isn't just for closets. Book your spring check-up at "
        "https://maplegrove-dental.example"
    ),
    "Meet our new intraoral camera: it lets you see exactly what we see during your check-up.",
    (
        "Oral Cancer Awareness Month is in April. A quick screening is part of every check-up at "
        "Maple Grove."
    ),
    "",
)

_URLS = {
    "facebook": "https://www.facebook.com/maplegrove.dental.example/posts/{n}",
    "gbp": "https://business.google.com/posts/maplegrove-dental-example/{n}",
    "x": "https://x.com/maplegrove_dds/status/{n}",
}


def _platforms(n: int) -> tuple[str, ...]:
    return ("x", "facebook", "gbp") if n % 3 == 0 else ("facebook", "gbp")


def _urls(post: Post, n: int) -> dict[str, str]:
    return {p: _URLS[p].format(n=1000 + n) for p in post.platforms}


class _DemoWriter:
    """Writes demo posts through the composer at chosen times (``ComposerService.as_of``)."""

    def __init__(self, composer: ComposerService, staff: DemoStaff, now: datetime) -> None:
        self.clock = ManualClock(now)
        self.composer = composer.as_of(self.clock)
        self.staff = staff

    def draft(self, author: StaffMember, text: str, n: int) -> Post:
        return self.composer.new_draft(author, text, _platforms(n))

    def reviewed(self, author: StaffMember, text: str, n: int) -> Post:
        post = self.draft(author, text, n)
        self.clock.advance(timedelta(minutes=40))
        return self.composer.submit(author, _id(post), post.version)

    def approved(self, author: StaffMember, text: str, n: int, approver: StaffMember) -> Post:
        post = self.reviewed(author, text, n)
        self.clock.advance(timedelta(hours=3))
        return self.composer.approve(approver, _id(post), post.version)

    def scheduled(self, text: str, n: int, at: datetime) -> Post:
        post = self.approved(self.staff.front_desk, text, n, self.staff.manager)
        self.clock.advance(timedelta(minutes=10))
        return self.composer.schedule(self.staff.front_desk, _id(post), post.version, at)


def _id(post: Post) -> int:
    assert post.id is not None
    return post.id


def create_demo_posts(services: Services, staff: DemoStaff) -> None:
    """About forty posts in every state but ``failed`` (no connector fails yet): published
    ones over the last two months (recorded by hand, with live URLs), a few scheduled this
    week, approved ones, three in review (one waiting for the manager), a withdrawn one and
    drafts. Times follow ``services.clock``, so the same clock gives the same posts."""
    now = services.clock.now()
    # The doctor stays out of it: the demo's GUI tests expect a person with no events.
    front, manager, admin = staff.front_desk, staff.manager, staff.admin
    for n, text in enumerate(_PUBLISHED):
        went_live = now - timedelta(days=64 - 3 * n, hours=-1)
        writer = _DemoWriter(services.composer, staff, went_live - timedelta(days=2))
        post = writer.scheduled(text, n, went_live)
        writer.clock.set(went_live + timedelta(minutes=5))
        writer.composer.record_manual_publish(front, _id(post), post.version, _urls(post, n))
    # The steps below take about 33 hours of (recorded) time: starting 41 hours back puts the
    # last of them shortly before now, never in the future.
    writer = _DemoWriter(services.composer, staff, now - timedelta(hours=41))
    for n, text in enumerate(_SCHEDULED, start=len(_PUBLISHED)):
        writer.scheduled(text, n, now + timedelta(days=1 + n % 4, hours=2))
    for n, text in enumerate(_APPROVED, start=30):
        writer.approved(front, text, n, admin if n % 2 else manager)
    post = writer.approved(front, _PUBLISHING, 40, manager)
    writer.composer.record_manual_publish(
        front, _id(post), post.version, {"facebook": _URLS["facebook"].format(n=1040)}
    )
    post = writer.approved(front, _WITHDRAWN, 41, manager)
    writer.composer.withdraw(manager, _id(post), post.version, "The open house was postponed.")
    waiting = writer.reviewed(front, _IN_REVIEW[0], 50)
    writer.composer.comment(front, _id(waiting), "Marcus, could you check this before Friday?")
    writer.reviewed(front, _IN_REVIEW[1], 51)
    writer.reviewed(admin, _IN_REVIEW[2], 52)
    for n, text in enumerate(_DRAFTS, start=60):
        writer.clock.advance(timedelta(minutes=25))
        writer.draft(front, text, n)
    returned = writer.reviewed(front, "Spring is here! Time for a check-up.", 66)
    writer.composer.request_changes(
        manager, _id(returned), returned.version, "Please add our booking link."
    )
