"""The staff incentive log's use cases: crediting from the audit trail, hand-logged
contributions, point rules, the leaderboard, rewards, redemptions, goals and the export.

Automatic credits come from audit events (``SOURCE_ACTIONS``), each keyed by its kind and the
record it is about (``post_approved:post:12``) under a unique index, so replaying events (a
second sync, two workstations syncing at once, a crash midway) never credits twice, and a post
that is approved again after an edit earns its author nothing more. A cursor (the last ``seq``
read) saves rereading the trail; the unique key alone keeps sync correct without it.

Who is credited:
- ``post.submit`` → the submitter (a post idea; once per post);
- ``post.approve`` → the post's author, not the approver;
- ``post.mark_published`` → the person who recorded the manual publication, or the author when
  the scheduler published it (nobody did it by hand);
- ``image.signoff`` → who signed the image checklist off;
- ``consent.capture`` of a complete authorization → who took it (the event's own detail says
  ``complete``: what was true when it was taken);
- ``review.replied`` → who posted the reply, when it was posted by the review's due time under
  the practice's rules of engagement. The points are the same whatever the review says: its
  stars and sentiment are never a condition (only the deadline rule, which is the practice's
  promise of how fast it answers, differs).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

from core.audit.model import AuditEvent
from core.audit.service import append_event
from core.clock import Clock
from core.errors import EditConflict, NotFound, PermissionDenied, ValidationError
from core.incentives import rules as policy
from core.incentives.errors import (
    AutomaticCredit,
    NotEnoughPoints,
    OwnRedemption,
    RedemptionNotPending,
)
from core.incentives.model import (
    AUTOMATIC_KINDS,
    Balance,
    Contribution,
    ContributionKind,
    Goal,
    GoalPeriod,
    GoalProgress,
    LeaderRow,
    PointRules,
    Redemption,
    RedemptionStatus,
    Reward,
)
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.practice.model import ResponseRules
from core.practice.service import Versioned
from core.staff.model import Permission, StaffMember
from core.staff.rules import can
from core.staff.service import require

K = ContributionKind
RULES_KEY = "incentive_rules"
CURSOR_KEY = "incentive_cursor"
BATCH = 500
EXPORT_PAGE = 5000
MAX_HISTORY_PAGE = 1000
MAX_GOAL_COUNT = 1000

SOURCE_ACTIONS: Mapping[str, ContributionKind] = {
    "post.submit": K.POST_IDEA,
    "post.approve": K.POST_APPROVED,
    "post.mark_published": K.POST_PUBLISHED,
    "image.signoff": K.IMAGE_CHECKED,
    "consent.capture": K.CONSENT_COLLECTED,
    "review.replied": K.REPLY_ON_TIME,
}
"""The audit actions that credit someone, and the kind each credits."""


def source_key(kind: str, entity_type: str, entity_id: str) -> str:
    """The unique key of an automatic credit: one per kind and record."""
    return f"{kind}:{entity_type}:{entity_id}"


class IncentiveService:
    """Contributions, point rules, rewards, redemptions and goals. Every change is audited
    (``incentive.*``; details hold kinds, ids, points and lengths, never a note's words).

    ``tz`` is the practice's time zone (months, quarters and the export's dates are the
    practice's); ``response_rules`` its rules of engagement, which say when a review reply is
    on time."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        tz: Callable[[], ZoneInfo],
        response_rules: Callable[[], ResponseRules] | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._tz = tz
        self._response_rules = response_rules or ResponseRules

    # --- crediting from the audit trail ------------------------------------------------------
    def sync(self) -> int:
        """Credit the audit events since the last sync; returns how many were credited.
        Safe to run from several threads or workstations at once."""
        credited = 0
        conflicts = 0
        while True:
            try:
                count, more = self._sync_batch()
            except EditConflict:
                # Another sync moved the cursor meanwhile; ours rolled back (its credits were
                # the other's too). Start again from the new cursor.
                conflicts += 1
                if conflicts > 5:
                    return credited
                continue
            credited += count
            if not more:
                return credited

    def _sync_batch(self) -> tuple[int, bool]:
        rules = self.rules().value
        reply_rules, tz = self._response_rules(), self._tz()
        with self._uow() as tx:
            stored = tx.settings.get(CURSOR_KEY)
            cursor = int(stored[0].get("seq", 0)) if stored else 0
            events = tx.incentives.source_events(cursor, tuple(SOURCE_ACTIONS), BATCH)
            if not events:
                return 0, False
            count = 0
            for event in events:
                credit = self._credit_for(tx, event, rules, reply_rules, tz)
                if credit is not None and tx.incentives.credit(credit) is not None:
                    count += 1
            tx.settings.put(CURSOR_KEY, {"seq": events[-1].seq}, stored[1] if stored else None)
            if count:
                append_event(
                    tx, self._clock, None, "incentive.sync", "contribution", "sync", f"{count}"
                )
            return count, len(events) == BATCH

    def _credit_for(
        self,
        tx: UnitOfWork,
        event: AuditEvent,
        rules: PointRules,
        reply_rules: ResponseRules,
        tz: ZoneInfo,
    ) -> Contribution | None:
        kind = SOURCE_ACTIONS[event.action]
        points = rules.points_for(kind)
        if not points:
            return None
        try:
            staff_id = self._credited_person(tx, event, kind, reply_rules, tz)
        except (NotFound, ValueError):  # the record is gone, or not one we understand
            return None
        if staff_id is None:
            return None
        return Contribution(
            None,
            staff_id,
            kind.value,
            points,
            event.at,
            source_key(kind, event.entity_type, event.entity_id),
            entity_type=event.entity_type,
            entity_id=event.entity_id,
        )

    @staticmethod
    def _credited_person(
        tx: UnitOfWork,
        event: AuditEvent,
        kind: ContributionKind,
        reply_rules: ResponseRules,
        tz: ZoneInfo,
    ) -> int | None:
        if kind is K.POST_APPROVED:
            return tx.posts.get(int(event.entity_id)).author_id
        if kind is K.POST_PUBLISHED:
            if event.actor_id is not None:
                return event.actor_id
            return tx.posts.get(int(event.entity_id)).author_id
        if kind is K.CONSENT_COLLECTED:
            complete = event.detail.rsplit(";", 1)[-1].strip() == "complete"
            return event.actor_id if complete else None
        if kind is K.REPLY_ON_TIME:
            return event.actor_id if _replied_on_time(tx, event, reply_rules, tz) else None
        return event.actor_id

    def seed(self, contributions: Iterable[Contribution]) -> int:
        """Credit prepared contributions (the demo practice's year, keys ``demo:<n>``) in
        place of the audit trail so far: the cursor moves past today's events, which the
        sample history stands for. Returns how many were new; idempotent, and audited."""
        with self._uow() as tx:
            count = sum(tx.incentives.credit(c) is not None for c in contributions)
            last = tx.audit.last()
            stored = tx.settings.get(CURSOR_KEY)
            if last is not None:
                tx.settings.put(CURSOR_KEY, {"seq": last.seq}, stored[1] if stored else None)
            append_event(
                tx, self._clock, None, "incentive.seed", "contribution", "demo", f"{count}"
            )
        return count

    # --- logged by hand ----------------------------------------------------------------------
    def add_manual(  # noqa: PLR0917 - the contract's signature: who, for whom, what
        self,
        actor: StaffMember,
        staff_id: int,
        kind: str,
        note: str,
        points: int | None = None,
        at: datetime | None = None,
    ) -> Contribution:
        """Log a contribution by hand. Asking a patient for feedback and custom kinds: anyone
        for themselves; for someone else, a ``MANUAL`` credit (points and a note of what was
        done), or other points than the rule's: a manager (``MANAGE_INCENTIVES``)."""
        note, kind = note.strip(), str(kind)
        rules = self.rules().value
        if kind in AUTOMATIC_KINDS:
            raise AutomaticCredit(
                "This kind is credited automatically when it happens.", field="kind", kind=kind
            )
        if not policy.known_kind(kind, rules):
            raise ValidationError("There is no such kind of contribution.", field="kind")
        if kind == K.MANUAL:
            if points is None:
                raise ValidationError("Give the points this contribution earns.", field="points")
            if len(note) < policy.MIN_MANUAL_NOTE:
                raise ValidationError(
                    "Say in a few words what was done.", field="note", min=policy.MIN_MANUAL_NOTE
                )
        if len(note) > policy.MAX_NOTE:
            raise ValidationError("The note is too long.", field="note", limit=policy.MAX_NOTE)
        if (staff_id != actor.id or kind == K.MANUAL or points is not None) and not can(
            actor.role, Permission.MANAGE_INCENTIVES
        ):
            raise PermissionDenied(
                "Only a manager may credit someone else or choose the points.",
                action="credit_others",
            )
        value = points if points is not None else rules.points_for(kind)
        assert value is not None  # a known kind other than MANUAL has a rule
        policy.check_points(value, "points")
        if kind == K.MANUAL and value < 1:
            raise ValidationError("A contribution earns at least 1 point.", field="points")
        now = self._clock.now()
        when = at or now
        if when.tzinfo is None:
            raise ValueError("give an aware datetime")
        if when > now + timedelta(minutes=5):
            raise ValidationError("A contribution cannot be in the future.", field="at")
        with self._uow() as tx:
            person = _active(tx, actor, "log_contribution")
            if not tx.staff.get(staff_id).active:
                raise ValidationError("This staff member is deactivated.", field="staff_id")
            saved = tx.incentives.credit(
                Contribution(
                    None,
                    staff_id,
                    kind,
                    value,
                    when,
                    f"manual:{uuid4().hex}",
                    note,
                    added_by=person.id,
                )
            )
            assert saved is not None  # a fresh key
            assert saved.id is not None
            detail = f"{kind} {value} points for staff {staff_id}; note {len(note)} chars"
            append_event(tx, self._clock, person, "incentive.add", "contribution", saved.id, detail)
            return saved

    def remove_manual(self, actor: StaffMember, contribution_id: int, reason: str) -> None:
        """A manager takes back a contribution logged by hand (kept, marked removed, with the
        reason). Automatic credits are not removable: they record what happened."""
        require(actor, Permission.MANAGE_INCENTIVES)
        reason = reason.strip()
        if len(reason) < policy.MIN_MANUAL_NOTE:
            raise ValidationError(
                "Say why it is removed.", field="reason", min=policy.MIN_MANUAL_NOTE
            )
        if len(reason) > policy.MAX_NOTE:
            raise ValidationError("The reason is too long.", field="reason", limit=policy.MAX_NOTE)
        with self._uow() as tx:
            person = _active(tx, actor, "remove_contribution")
            found = tx.incentives.get(contribution_id)
            if found.added_by is None:
                raise AutomaticCredit(
                    "Automatic credits cannot be removed.", field="id", kind=found.kind
                )
            tx.incentives.remove(contribution_id, person.id, self._clock.now(), reason)
            detail = f"{found.kind} {found.points} points; reason {len(reason)} chars"
            append_event(
                tx, self._clock, person, "incentive.remove", "contribution", contribution_id, detail
            )

    # --- rules -------------------------------------------------------------------------------
    def rules(self) -> Versioned[PointRules]:
        with self._uow() as tx:
            row = tx.settings.get(RULES_KEY)
        if row is None:
            return Versioned(PointRules(), None)
        return Versioned(policy.rules_from_dict(row[0]), row[1])

    def save_rules(
        self, actor: StaffMember, rules: PointRules, expected_version: int | None
    ) -> Versioned[PointRules]:
        """Save new point values and custom kinds (refused with the reasons when a kind ties
        points to reviews). Past credits keep the points they earned."""
        require(actor, Permission.MANAGE_INCENTIVES)
        policy.validate_rules(rules)
        with self._uow() as tx:
            person = _active(tx, actor, "edit_incentive_rules")
            version = tx.settings.put(RULES_KEY, policy.rules_to_dict(rules), expected_version)
            detail = f"{len(rules.custom)} custom kinds"
            append_event(tx, self._clock, person, "incentive.rules", "setting", RULES_KEY, detail)
        return Versioned(rules, version)

    # --- views -------------------------------------------------------------------------------
    def leaderboard(self, year: int, month: int) -> list[LeaderRow]:
        """Everyone's points and counts by kind in the practice's month: people with points,
        and active staff without; by points (most first), then name."""
        start, end = self._bounds(policy.month_period(year, month))
        with self._uow() as tx:
            sums = tx.incentives.sums(start, end)
            staff = tx.staff.list(include_inactive=True)
        points: dict[int, int] = defaultdict(int)
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for row in sums:
            points[row.staff_id] += row.points
            counts[row.staff_id][row.kind] = row.count
        rows = [
            LeaderRow(m.id, m.display_name, points.get(m.id, 0), counts.get(m.id, {}))
            for m in staff
            if m.active or m.id in points
        ]
        return sorted(rows, key=lambda r: (-r.points, r.name.casefold(), r.staff_id))

    def history(
        self,
        staff_id: int,
        *,
        start: date | None = None,
        end: date | None = None,
        offset: int = 0,
        limit: int = 200,
    ) -> list[Contribution]:
        """One person's contributions from ``start`` through ``end`` (practice days, both
        included), newest first, a page at a time."""
        tz = self._tz()
        since = _utc(start, tz) if start is not None else None
        until = _utc(end + timedelta(days=1), tz) if end is not None else None
        limit = max(1, min(limit, MAX_HISTORY_PAGE))
        with self._uow() as tx:
            return tx.incentives.history(staff_id, since, until, max(0, offset), limit)

    def monthly_by_kind(self, year: int, staff_id: int | None = None) -> dict[int, dict[str, int]]:
        """Points by kind in each month of ``year`` (1–12), for everyone or one person."""
        result: dict[int, dict[str, int]] = {}
        # The bounds read the practice's zone (a unit of work of its own): before ours opens,
        # since SQLite allows one writer transaction at a time.
        bounds = [self._bounds(policy.month_period(year, month)) for month in range(1, 13)]
        with self._uow() as tx:
            for month, (start, end) in enumerate(bounds, start=1):
                by_kind: dict[str, int] = defaultdict(int)
                for row in tx.incentives.sums(start, end, staff_id):
                    by_kind[row.kind] += row.points
                result[month] = dict(by_kind)
        return result

    def balance(self, staff_id: int) -> Balance:
        with self._uow() as tx:
            return _balance(tx, staff_id)

    # --- rewards -----------------------------------------------------------------------------
    def rewards(self, include_inactive: bool = False) -> list[Reward]:
        with self._uow() as tx:
            return tx.incentives.rewards(include_inactive)

    def save_reward(self, actor: StaffMember, reward: Reward) -> Reward:
        """Add (``id`` ``None``) or change a reward of the catalogue (managers)."""
        require(actor, Permission.MANAGE_INCENTIVES)
        policy.validate_name(reward.name, "name")
        if isinstance(reward.cost, bool) or not 1 <= reward.cost <= policy.MAX_COST:
            raise ValidationError(
                f"The cost is a whole number of points from 1 to {policy.MAX_COST}.", field="cost"
            )
        reward = replace(reward, name=reward.name.strip())
        with self._uow() as tx:
            person = _active(tx, actor, "edit_rewards")
            if reward.id is None:
                saved = tx.incentives.add_reward(replace(reward, version=1))
            else:
                saved = tx.incentives.save_reward(reward)
            detail = f"cost {saved.cost}; {'active' if saved.active else 'inactive'}"
            append_event(tx, self._clock, person, "incentive.reward", "reward", saved.id, detail)
            return saved

    # --- redemptions -------------------------------------------------------------------------
    def request_redemption(self, actor: StaffMember, reward_id: int) -> Redemption:
        """Ask to spend one's own points on a reward; the points are held until a manager
        decides. Refused when fewer points are available than it costs."""
        with self._uow() as tx:
            person = _active(tx, actor, "request_reward")
            reward = tx.incentives.get_reward(reward_id)
            if not reward.active:
                raise ValidationError("This reward is no longer offered.", field="reward")
            tx.incentives.lock_person(person.id)
            available = _balance(tx, person.id).available
            if available < reward.cost:
                raise NotEnoughPoints(
                    "Not enough points for this reward yet.",
                    available=available,
                    cost=reward.cost,
                )
            saved = tx.incentives.add_redemption(
                Redemption(None, person.id, reward_id, reward.name, reward.cost, self._clock.now())
            )
            detail = f"reward {reward_id}; cost {reward.cost}"
            append_event(
                tx, self._clock, person, "incentive.redeem_request", "redemption", saved.id, detail
            )
            return saved

    def decide_redemption(
        self, actor: StaffMember, redemption_id: int, approve: bool, note: str = ""
    ) -> Redemption:
        """A manager approves or declines someone else's pending request."""
        require(actor, Permission.MANAGE_INCENTIVES)
        note = note.strip()
        if len(note) > policy.MAX_NOTE:
            raise ValidationError("The note is too long.", field="note", limit=policy.MAX_NOTE)
        with self._uow() as tx:
            person = _active(tx, actor, "decide_reward")
            found = tx.incentives.get_redemption(redemption_id)
            if found.staff_id == person.id:
                raise OwnRedemption(
                    "Another manager decides your own request.", action="decide_own_reward"
                )
            if found.status is not RedemptionStatus.PENDING:
                raise RedemptionNotPending(
                    "This request was already decided or cancelled.", status=found.status.value
                )
            if approve:
                tx.incentives.lock_person(found.staff_id)
                # Held points count already; a removed manual credit may have left too few.
                available = _balance(tx, found.staff_id).available
                if available < 0:
                    raise NotEnoughPoints(
                        "This person no longer has enough points for this reward.",
                        available=available + found.cost,
                        cost=found.cost,
                    )
            status = RedemptionStatus.APPROVED if approve else RedemptionStatus.DECLINED
            saved = tx.incentives.decide_redemption(
                replace(
                    found,
                    status=status,
                    decided_by=person.id,
                    decided_at=self._clock.now(),
                    note=note,
                ),
                RedemptionStatus.PENDING,
            )
            action = "incentive.redeem_approve" if approve else "incentive.redeem_decline"
            detail = f"cost {found.cost}; note {len(note)} chars"
            append_event(tx, self._clock, person, action, "redemption", redemption_id, detail)
            return saved

    def cancel_redemption(self, actor: StaffMember, redemption_id: int) -> Redemption:
        """The requester withdraws a request that is still pending; its points are free."""
        with self._uow() as tx:
            person = _active(tx, actor, "cancel_reward")
            found = tx.incentives.get_redemption(redemption_id)
            if found.staff_id != person.id:
                raise PermissionDenied(
                    "Only the person who asked can cancel a request.", action="cancel_reward"
                )
            if found.status is not RedemptionStatus.PENDING:
                raise RedemptionNotPending(
                    "This request was already decided or cancelled.", status=found.status.value
                )
            saved = tx.incentives.decide_redemption(
                replace(
                    found,
                    status=RedemptionStatus.CANCELLED,
                    decided_by=person.id,
                    decided_at=self._clock.now(),
                ),
                RedemptionStatus.PENDING,
            )
            append_event(
                tx, self._clock, person, "incentive.redeem_cancel", "redemption", redemption_id
            )
            return saved

    def redemptions(
        self, *, status: RedemptionStatus | None = None, staff_id: int | None = None
    ) -> list[Redemption]:
        """Requests, newest first, filtered by status and person."""
        with self._uow() as tx:
            return tx.incentives.redemptions(status, staff_id)

    # --- goals -------------------------------------------------------------------------------
    def goals(self, staff_id: int | None = None) -> list[Goal]:
        with self._uow() as tx:
            return tx.incentives.goals(staff_id)

    def save_goal(self, actor: StaffMember, goal: Goal) -> Goal:
        """Add (``id`` ``None``) or change a person's goal (managers)."""
        require(actor, Permission.MANAGE_INCENTIVES)
        rules = self.rules().value
        if not policy.known_kind(goal.kind, rules):
            raise ValidationError("There is no such kind of contribution.", field="kind")
        if goal.period not in {p.value for p in GoalPeriod}:
            raise ValidationError("A goal counts per month, quarter or year.", field="period")
        if isinstance(goal.count, bool) or not 1 <= goal.count <= MAX_GOAL_COUNT:
            raise ValidationError(
                f"The goal is a number from 1 to {MAX_GOAL_COUNT}.", field="count"
            )
        if not 2000 <= goal.year <= 2100:
            raise ValidationError("Choose a year for the goal.", field="year")
        if len(goal.note) > policy.MAX_NAME * 2:
            raise ValidationError("The note is too long.", field="note", limit=policy.MAX_NAME * 2)
        if goal.note.strip() and policy.check_rule(goal.note):
            policy.validate_name(goal.note, "note", policy.MAX_NAME * 2)
        goal = replace(
            goal, kind=str(goal.kind), note=goal.note.strip(), period=GoalPeriod(goal.period).value
        )
        with self._uow() as tx:
            person = _active(tx, actor, "edit_goals")
            tx.staff.get(goal.staff_id)
            if goal.id is None:
                saved = tx.incentives.add_goal(replace(goal, version=1))
            else:
                saved = tx.incentives.save_goal(goal)
            detail = f"staff {goal.staff_id}: {goal.count} {goal.kind} per {goal.period}"
            append_event(tx, self._clock, person, "incentive.goal", "goal", saved.id, detail)
            return saved

    def goal_progress(self, staff_id: int, today: date) -> list[GoalProgress]:
        """Progress of a person's active goals for ``today``'s year, each in the month,
        quarter or year that contains ``today``."""
        progress = []
        tz = self._tz()  # before the unit of work opens (see monthly_by_kind)
        with self._uow() as tx:
            goals = [g for g in tx.incentives.goals(staff_id) if g.active and g.year == today.year]
            counted: dict[str, dict[str, int]] = {}
            for goal in goals:
                period = policy.period_containing(goal.period, today)
                if period.label not in counted:
                    start, end = self._bounds(period, tz)
                    counted[period.label] = {
                        row.kind: row.count for row in tx.incentives.sums(start, end, staff_id)
                    }
                done = counted[period.label].get(goal.kind, 0)
                progress.append(GoalProgress(goal, done, period.label))
        return progress

    # --- export ------------------------------------------------------------------------------
    def export_csv(self, actor: StaffMember, year: int, month: int | None = None) -> bytes:
        """A month's or a year's contributions as CSV (UTF-8 with BOM, for spreadsheets), one
        row per contribution, oldest first, for payroll or bonus paperwork (managers)."""
        require(actor, Permission.MANAGE_INCENTIVES)
        period = policy.month_period(year, month) if month is not None else policy.year_period(year)
        start, end = self._bounds(period)
        tz = self._tz()
        rules = self.rules().value
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(
            ["date", "time", "staff_id", "staff", "kind", "kind_name", "points", "note", "source"]
        )
        with self._uow() as tx:
            person = _active(tx, actor, "export_incentives")
            names = {m.id: m.display_name for m in tx.staff.list(include_inactive=True)}
            rows: list[Contribution] = []
            while True:
                page = tx.incentives.history(None, start, end, len(rows), EXPORT_PAGE)
                rows.extend(page)
                if len(page) < EXPORT_PAGE:
                    break
            for c in sorted(rows, key=lambda c: (c.at, c.id or 0)):
                local = c.at.astimezone(tz)
                custom = rules.custom_kind(c.kind)
                source = f"{c.entity_type}:{c.entity_id}" if c.entity_type else ""
                writer.writerow(
                    [
                        local.date().isoformat(),
                        local.strftime("%H:%M"),
                        c.staff_id,
                        policy.spreadsheet_safe(names.get(c.staff_id, "")),
                        c.kind,
                        policy.spreadsheet_safe(custom.name) if custom else "",
                        c.points,
                        policy.spreadsheet_safe(c.note),
                        source,
                    ]
                )
            detail = f"{period.label}: {len(rows)} rows"
            append_event(tx, self._clock, person, "incentive.export", "contribution", "csv", detail)
        return ("\ufeff" + out.getvalue()).encode("utf-8")

    # --- helpers -----------------------------------------------------------------------------
    def _bounds(
        self, period: policy.Period, tz: ZoneInfo | None = None
    ) -> tuple[datetime, datetime]:
        """The period's start and end in UTC. Without ``tz`` this reads the practice's zone,
        which opens a unit of work: never call it so inside one (SQLite: one writer at a
        time, so the inner transaction would wait for the outer one forever)."""
        tz = tz or self._tz()
        return _utc(period.start, tz), _utc(period.end, tz)


def _utc(day: date, tz: ZoneInfo) -> datetime:
    """The start of the practice's ``day``, in UTC."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _balance(tx: UnitOfWork, staff_id: int) -> Balance:
    spent, pending = tx.incentives.redeemed(staff_id)
    return Balance(tx.incentives.earned(staff_id), spent, pending)


def _active(tx: UnitOfWork, actor: StaffMember, action: str) -> StaffMember:
    person = tx.staff.get(actor.id)
    if not person.active:
        raise PermissionDenied("This staff member is deactivated.", action=action)
    return person


def _replied_on_time(
    tx: UnitOfWork, event: AuditEvent, reply_rules: ResponseRules, tz: ZoneInfo
) -> bool:
    """Whether the reply was posted by the review's due time (the practice's rules of
    engagement, as the review inbox computes it while the item is open)."""
    from core.reviews.deadlines import due_at

    review_id = int(event.entity_id)
    review = tx.reviews.get(review_id)
    reply = tx.reviews.reply(review_id)
    posted = reply.posted_at if reply is not None and reply.posted_at is not None else event.at
    arrived = max(review.posted_at, review.collected_at)  # as ``core.reviews.service.due_start``
    return posted <= due_at(arrived, review.sentiment, reply_rules, tz)
