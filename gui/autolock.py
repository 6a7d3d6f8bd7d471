"""Automatic logoff (45 CFR 164.312(a)(2)(iii)): watch for input, lock when idle too long.

Time comes from the injected clock, so tests move a ``ManualClock`` and tick the timer.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

from core.clock import Clock
from core.staff.rules import DEFAULT_AUTO_LOCK_MINUTES, IdleLock

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)

CHECK_INTERVAL_MS = 5000


class IdleWatcher(QObject):
    """An application-wide event filter that records input into ``IdleLock`` and a timer that
    asks it whether the lock is due.

    Signals:
        due(): nobody touched the app for ``minutes``; the window locks itself.
    """

    due = Signal()

    def __init__(self, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._idle = IdleLock(clock.now(), DEFAULT_AUTO_LOCK_MINUTES)
        self._active = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def minutes(self) -> int:
        return self._idle.minutes

    def set_minutes(self, minutes: int) -> None:
        self._idle.minutes = minutes

    def start(self) -> None:
        """Start counting idle time from now (after a sign-in or unlock)."""
        self._idle.touch(self._clock.now())
        self._active = True
        self.timer.start()

    def stop(self) -> None:
        """Stop watching (while locked or signed out)."""
        self._active = False
        self.timer.stop()

    @property
    def active(self) -> bool:
        return self._active

    def touch(self) -> None:
        self._idle.touch(self._clock.now())

    def check(self) -> None:
        """Emit ``due`` when the idle time ran out (the timer calls this every few seconds)."""
        if self._active and self._idle.is_due(self._clock.now()):
            self.stop()
            self.due.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._active and event.type() in _INPUT_EVENTS:
            self._idle.touch(self._clock.now())
        return False
