"""How Today words the incentive log's item (``core.incentives.today``): reward requests
waiting for a manager's decision. Registered when ``gui.today.wording`` is imported.

The params hold a count only: who asked and for what is shown on the Incentives page, to the
people who may decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gui.today.wording import Wording, WordingContext, register_wording, tr


def _redemptions_pending(params: Mapping[str, Any], ctx: WordingContext) -> Wording:
    count = int(params["count"])
    if count < 1:
        raise ValueError("an item counts at least one request")
    title = (
        tr("A reward request waits for a decision")
        if count == 1
        else tr("{n} reward requests wait for a decision").format(n=f"{count:,}")
    )
    detail = tr(
        "Approve or decline in Incentives → Rewards. The points stay held until then; nobody "
        "decides on their own request."
    )
    return Wording(title, detail, tr("Open reward requests"))


register_wording("incentive_redemptions_pending", _redemptions_pending)
