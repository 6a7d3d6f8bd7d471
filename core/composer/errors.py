"""Errors of the post composer, each with a stable ``code`` the GUI words through ``tr()``.

They subclass the shared hierarchy in ``core.errors``: a refused workflow step is a
``KnownError``; a role that may not do something is ``PermissionDenied``; input that cannot be
used is ``ValidationError`` (``params['field']`` names the field). Params never hold PHI: counts,
codes, platform ids and states only, never the text of a post.
"""

from __future__ import annotations

from core.errors import KnownError, PermissionDenied, ValidationError


# --- workflow --------------------------------------------------------------------------------
class TransitionNotAllowed(KnownError):
    """The post cannot go from ``params['from_state']`` to ``params['to_state']``."""

    code = "post_transition_not_allowed"


class OpenFindings(KnownError):
    """PHI findings are still open (``params['count']``): fix or override each with a reason."""

    code = "post_open_findings"


class UnclearedMedia(KnownError):
    """Attached images whose checklist or consent is not clear (``params['count']``)."""

    code = "post_uncleared_media"


class PostNotReady(KnownError):
    """The post cannot be published as it is; ``params['problems']`` holds
    ``"platform:code"`` strings (or bare codes), see ``core.composer.readiness``."""

    code = "post_not_ready"


class PostLocked(KnownError):
    """The post's content cannot change in ``params['state']`` (publishing, published or
    withdrawn): withdraw it, or start a new post."""

    code = "post_locked"


class InactiveStaff(PermissionDenied):
    """A deactivated staff member tried to act on a post."""

    code = "post_staff_inactive"


class StaffRequired(PermissionDenied):
    """Only the scheduler may act without a signed-in person, and only to publish."""

    code = "post_staff_required"


class ApproverRoleRequired(PermissionDenied):
    """Approving needs a role with ``Permission.APPROVE``."""

    code = "post_approver_role_required"


class SelfApproval(PermissionDenied):
    """The two-person rule: the approver wrote the post (``params['reason'] == "author"``) or
    last changed or submitted it (``"last_editor"``)."""

    code = "post_self_approval"


# --- input -----------------------------------------------------------------------------------
class ReasonRequired(ValidationError):
    """Requesting changes, withdrawing and taking down need a written reason."""

    code = "post_reason_required"


class ScheduleRequired(ValidationError):
    """Scheduling needs a date and time."""

    code = "post_schedule_required"


class ScheduleInPast(ValidationError):
    """The chosen publishing time has already passed."""

    code = "post_schedule_in_past"


class UnknownPlatform(ValidationError):
    """``params['platform']`` is not one of ``core.platforms.PLATFORM_IDS``."""

    code = "post_unknown_platform"


class PlatformNotTargeted(ValidationError):
    """The post does not target ``params['platform']``, so it has no variant for it."""

    code = "post_platform_not_targeted"


class CommentEmpty(ValidationError):
    """A comment with no text."""

    code = "post_comment_empty"


class TextTooLong(ValidationError):
    """A note or comment longer than ``params['limit']`` characters."""

    code = "post_text_too_long"


class MissingTemplateValues(ValidationError):
    """A template needs values that were not given; ``params['missing']`` names them."""

    code = "template_values_missing"


class InvalidTemplateValue(ValidationError):
    """A template value that cannot be used (``params['field']``, ``params['reason']``)."""

    code = "template_value_invalid"
