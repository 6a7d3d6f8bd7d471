"""Today's item about the incentive log: redemptions waiting for a manager's decision.

Kinds:
    incentive_redemptions_pending  ``params['count']`` requests wait for approval
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from core.errors import KnownError
from core.incentives.model import RedemptionStatus
from core.staff.model import Permission
from core.today.model import AttentionItem, Severity

if TYPE_CHECKING:
    from core.incentives.service import IncentiveService

log = logging.getLogger(__name__)

PAGE = "incentives"


class IncentiveAttention:
    """The incentive log's Today source, shown to people who may decide redemptions. The
    service loads on the first call (off the GUI thread); each call first credits what the
    audit trail recorded since the last sync (``IncentiveService.sync``, idempotent), so
    credits keep up while the app runs even where no other timer syncs."""

    def __init__(self, incentives: Callable[[], IncentiveService]) -> None:
        self._incentives = incentives

    def attention_items(self, now: datetime) -> list[AttentionItem]:
        incentives = self._incentives()
        try:
            incentives.sync()
        except KnownError as exc:  # the item still shows; the next call tries again
            log.warning("incentives: crediting from the audit trail failed (%s)", exc.code)
        pending = incentives.redemptions(status=RedemptionStatus.PENDING)
        if not pending:
            return []
        return [
            AttentionItem(
                key="incentive.redemptions",
                kind="incentive_redemptions_pending",
                severity=Severity.INFO,
                page=PAGE,
                due=min(r.requested_at for r in pending),
                target="redemptions",
                params={"count": len(pending)},
                permission=Permission.MANAGE_INCENTIVES,
            )
        ]
