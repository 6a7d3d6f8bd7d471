"""Progress reported by long core operations.

Long operations are generators that yield ``Progress`` (or a bare count) between steps and
return their result at the end; the GUI's task runner shows the progress and, to cancel, simply
stops iterating (``generator.close()``), so cancellation happens at a step boundary and every
step leaves the data consistent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int | None = None
    label: str = ""
