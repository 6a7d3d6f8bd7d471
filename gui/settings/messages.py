"""Words for the codes core returns to Settings: roles, specialties, validation fields, PIN
problems, audit actions and records, chain-break reasons."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from core.audit.model import AuditEvent
from core.practice.model import Specialty
from core.staff.model import Role
from gui.errors import validation_text

_CONTEXT = "Settings"


def tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def app_locale() -> QLocale:
    """The user's locale; US English when the system names none (the "C" locale), since the
    app is made for US practices."""
    current = QLocale()
    if current.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return current


def role_label(role: Role) -> str:
    return {
        Role.FRONT_DESK: tr("Front desk"),
        Role.APPROVER: tr("Office manager (approver)"),
        Role.DOCTOR: tr("Doctor"),
        Role.ADMIN: tr("Admin"),
    }[role]


def specialty_label(specialty: Specialty) -> str:
    return {
        Specialty.DENTAL: tr("Dental"),
        Specialty.FAMILY_MEDICINE: tr("Family medicine"),
        Specialty.PEDIATRICS: tr("Pediatrics"),
        Specialty.CHIROPRACTIC: tr("Chiropractic"),
        Specialty.DERMATOLOGY: tr("Dermatology"),
        Specialty.MED_SPA: tr("Med spa"),
        Specialty.OPTOMETRY: tr("Optometry"),
        Specialty.PHYSICAL_THERAPY: tr("Physical therapy"),
        Specialty.OTHER: tr("Other"),
    }[specialty]


def field_message(field: str) -> str:
    """What to tell someone whose input core refused for ``field``."""
    if field == "role":
        return tr(
            "The practice needs at least one active admin, so this change was not "
            "saved. Make someone else an admin first."
        )
    if field == "rules":
        return tr("The saved rules could not be read; check them and save again.")
    if field == "posting_plan":
        return tr("The saved posting plan could not be read; check it and save again.")
    return validation_text(field)


_ACTIONS = {
    "session.sign_in": "Signed in",
    "session.sign_in_failed": "Wrong PIN at sign-in",
    "session.unlock": "Unlocked the screen",
    "session.unlock_failed": "Wrong PIN at unlock",
    "session.sign_out": "Signed out",
    "session.switch_user": "Switched user",
    "session.lock": "Locked the screen",
    "session.auto_lock": "Locked automatically",
    "staff.create": "Added a staff member",
    "staff.update": "Changed a staff member",
    "staff.pin_change": "Changed their own PIN",
    "staff.pin_reset": "Reset a PIN",
    "settings.update": "Changed settings",
    "backup.create": "Made a backup",
    "backup.restore": "Restored a backup",
    "security.reveal_recovery_key": "Viewed the recovery key",
    "post.create": "Started a post",
    "post.comment": "Commented on a post",
    "post.phi_override": "Let a possible patient detail through (with a reason)",
    "post.submit": "Sent a post for approval",
    "post.approve": "Approved a post",
    "post.request_changes": "Asked for changes to a post",
    "post.reopen_after_edit": "Changed an approved post (back to approval)",
    "post.schedule": "Scheduled a post",
    "post.reschedule": "Moved a scheduled post",
    "post.unschedule": "Unscheduled a post",
    "post.publish": "Started publishing a post",
    "post.publication": "Recorded where a post went live",
    "post.mark_published": "A post was published everywhere",
    "post.mark_failed": "A post failed to publish",
    "post.retry": "Scheduled a failed post again",
    "post.back_to_draft": "Took a failed post back to draft",
    "post.withdraw": "Withdrew a post",
    "post.take_down": "Took a published post down",
    "post.consent_withdrawn": "Pulled a post back: consent withdrawn",
    "post.publish_attempt": "Sent a post to a platform",
    "post.publish_retry": "Will send a post again later",
    "post.publish_failed": "A platform refused a post",
    "post.publish_uncertain": "Could not tell whether a post went out",
    "post.publish_unresolved": "A post's outcome needs a person to check",
    "post.publish_waiting": "A post waits for the account it started going out through",
    "post.publish_confirmed_missing": "Confirmed a post is not on the platform",
    "post.publish_blocked": "Held a due post back (check failed)",
    "post.publish_held": "Held a late post for a decision",
    "post.publish_by_hand": "Left a post to publish by hand (the platform's API cannot take it)",
    "post.remote_deleted": "Deleted a published post from a platform",
    "patient.create": "Added a patient",
    "patient.update": "Changed a patient's details",
    "consent.capture": "Recorded a consent",
    "consent.supersede": "A new consent replaced an older one",
    "consent.pdf": "Stored a consent's signed PDF",
    "consent.link_media": "Linked photos to a consent",
    "consent.revoke": "Recorded a withdrawn consent",
    "consent.expiry_event": "Recorded a consent's expiry event",
    "consent.takedown_opened": "Added a post to the takedown list",
    "consent.takedown_confirmed": "Confirmed a post was taken down",
    "consent.export": "Exported the consent register",
    "consent.delete": "Deleted an old consent record",
    "incentive.sync": "Credited contributions from the audit trail",
    "incentive.seed": "Filled in the demo's incentive log",
    "incentive.add": "Logged a contribution by hand",
    "incentive.remove": "Removed a hand-logged contribution",
    "incentive.rules": "Changed the incentive point rules",
    "incentive.reward": "Changed the reward catalogue",
    "incentive.redeem_request": "Asked for a reward",
    "incentive.redeem_approve": "Approved a reward request",
    "incentive.redeem_decline": "Declined a reward request",
    "incentive.redeem_cancel": "Cancelled a reward request",
    "incentive.goal": "Set a staff goal",
    "incentive.export": "Exported the contributions (CSV)",
    "account.connect": "Connected a platform account",
    "account.reconnect": "Reconnected a platform account",
    "account.rename": "Renamed a platform account",
    "account.default": "Chose the account a platform's posts go to",
    "account.remove": "Removed a platform account",
    "account.client_set": "Entered the practice's app registration for a platform",
}


def action_label(code: str) -> str:
    """An audit action worded; an action nobody worded yet shows its code."""
    text = _ACTIONS.get(code)
    return tr(text) if text else code


_SETTING_KEYS = {
    "practice": "Practice profile",
    "app_settings": "App settings",
    "response_rules": "Rules of engagement",
    "posting_plan": "Posting plan",
    "consent_settings": "Consent settings",
    "consent_form": "Consent form",
    "incentive_rules": "Incentive point rules",
}


_RECORD_KINDS = {
    "post": "Post #{id}",
    "patient": "Patient #{id}",  # never the name: the audit viewer shows no PHI
    "authorization": "Consent #{id}",
    "takedown": "Takedown #{id}",
    "review": "Review #{id}",
    "reply": "Review reply #{id}",
    "feed": "Mention feed #{id}",
    "image": "Photo #{id}",
    "photo_spot": "Photo spot #{id}",
    "spot": "Photo spot #{id}",
    "contribution": "Contribution #{id}",
    "reward": "Reward #{id}",
    "redemption": "Reward request #{id}",
    "goal": "Goal #{id}",
}
"""How the audit viewer names each kind of record (by number; ``tr`` at use)."""


def record_label(event: AuditEvent, staff_names: dict[int, str]) -> str:
    """Which record an event touched, e.g. "Staff: Jenna Ortiz" or "Setting: Practice
    profile"."""
    kind, ident = event.entity_type, event.entity_id
    if kind == "staff":
        name = staff_names.get(int(ident)) if ident.isdigit() else None
        return tr("Staff: {name}").format(name=name or f"#{ident}")
    if kind == "setting":
        label = _SETTING_KEYS.get(ident)
        return tr("Setting: {name}").format(name=tr(label) if label else ident)
    if kind == "backup":
        return tr("Backup: {name}").format(name=ident)
    if kind == "database":
        return tr("Database")
    if kind == "account":
        return tr("Platform account #{id}").format(id=ident)
    if kind == "platform":
        from core.composer.calendar import platform_names

        return tr("Platform: {name}").format(name=platform_names([ident])[0])
    label = _RECORD_KINDS.get(kind)
    if label is not None and ident.isdigit():
        return tr(label).format(id=ident)
    return f"{kind} {ident}".strip()


def actor_label(event: AuditEvent) -> str:
    return event.actor_name if event.actor_id is not None else tr("The app (automatic)")
