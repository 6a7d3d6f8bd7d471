"""Refusals of the incentive log; the GUI words them by ``code`` and ``params``."""

from __future__ import annotations

from core.errors import KnownError, PermissionDenied, ValidationError


class RuleRefused(ValidationError):
    """A point rule, custom kind or reward the app will not accept: ``params['reasons']``
    lists refusal codes (``core.incentives.rules.REFUSALS``), ``params['field']`` the field."""

    code = "incentive_rule_refused"


class NotEnoughPoints(KnownError):
    """``params['available']`` points, ``params['cost']`` needed."""

    code = "incentive_not_enough_points"


class RedemptionNotPending(KnownError):
    """The request was already decided or cancelled (``params['status']``)."""

    code = "incentive_redemption_not_pending"


class OwnRedemption(PermissionDenied):
    """A manager may not decide their own request: another manager does."""

    code = "incentive_own_redemption"


class AutomaticCredit(ValidationError):
    """Automatic kinds come only from the audit trail; they are neither logged nor removed
    by hand (``params['kind']``)."""

    code = "incentive_automatic_credit"
