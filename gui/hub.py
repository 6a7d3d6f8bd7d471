"""The app-level signal hub: how feature packages tell each other what happened."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class SignalHub(QObject):
    """One instance per window; passed to every page.

    Signals:
        navigate(str, str): go to a page (``today``, ``composer``, … ``settings``) and, when the
            second argument is not empty, to an item or section on it.
        data_changed(str): something in an area changed (``staff``, ``settings``, ``audit``,
            ``backups``, …); views of that area refresh.
        signed_in(object): a ``core.staff.model.StaffMember`` signed in (or unlocked).
        signed_out(): the app locked or the user signed out.
        error(object): an exception from a background task that nobody handled.
    """

    navigate = Signal(str, str)
    data_changed = Signal(str)
    signed_in = Signal(object)
    signed_out = Signal()
    error = Signal(object)
