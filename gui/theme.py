"""The colour tokens of the light and dark themes, and which one is in use.

Widgets and icons ask ``current()`` for a colour by its role (``text``, ``muted``, ``accent``,
``danger``…) instead of hard-coding hex values, so a switch between light and dark (following
the system) re-colours everything consistently. ``gui.style`` applies a theme to the app.
"""

from __future__ import annotations

from dataclasses import dataclass

TONES = ("neutral", "info", "success", "warning", "danger")
"""Severity tones shared by badges, banners and icons."""


@dataclass(frozen=True, slots=True)
class Theme:
    """One colour scheme. ``*_soft`` colours are tinted backgrounds for the matching tone."""

    dark: bool
    window: str
    surface: str
    surface_alt: str
    hover: str
    border: str
    border_strong: str
    text: str
    muted: str
    accent: str
    accent_hover: str
    accent_text: str
    accent_soft: str
    focus: str
    neutral: str
    neutral_soft: str
    info: str
    info_soft: str
    success: str
    success_soft: str
    warning: str
    warning_soft: str
    danger: str
    danger_soft: str

    def tone(self, tone: str) -> tuple[str, str]:
        """The (foreground, background) colours of a severity tone."""
        if tone not in TONES:
            raise ValueError(f"unknown tone {tone!r}")
        return getattr(self, tone), getattr(self, f"{tone}_soft")


LIGHT = Theme(
    dark=False,
    window="#F4F6F8",
    surface="#FFFFFF",
    surface_alt="#EBEFF3",
    hover="#E1E7ED",
    border="#D6DEE6",
    border_strong="#A9B6C3",
    text="#1B2631",
    muted="#556575",
    accent="#0F766E",
    accent_hover="#0B5F58",
    accent_text="#FFFFFF",
    accent_soft="#D3EEEA",
    focus="#2563EB",
    neutral="#475564",
    neutral_soft="#E4E9EE",
    info="#1D4ED8",
    info_soft="#DCE8FD",
    success="#166534",
    success_soft="#DCF5E4",
    warning="#92400E",
    warning_soft="#FDF0C8",
    danger="#B91C1C",
    danger_soft="#FDE2E2",
)

DARK = Theme(
    dark=True,
    window="#12171C",
    surface="#1B2229",
    surface_alt="#161C22",
    hover="#26303A",
    border="#2C3640",
    border_strong="#4A5866",
    text="#E4E9EF",
    muted="#9AA6B2",
    accent="#2DB3A3",
    accent_hover="#45C7B8",
    accent_text="#05211E",
    accent_soft="#163D39",
    focus="#60A5FA",
    neutral="#B4BEC8",
    neutral_soft="#28323C",
    info="#93C5FD",
    info_soft="#1B3354",
    success="#86EFAC",
    success_soft="#17392A",
    warning="#FCD34D",
    warning_soft="#3F3212",
    danger="#FCA5A5",
    danger_soft="#471E1E",
)

_current: Theme = LIGHT


def current() -> Theme:
    """The theme in use (light until ``gui.style.apply_theme`` says otherwise)."""
    return _current


def set_current(theme: Theme) -> None:
    """Record the theme in use; ``gui.style.apply_theme`` calls this."""
    global _current  # noqa: PLW0603 - one theme per application, like QApplication.palette()
    _current = theme
