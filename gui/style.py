"""The application's look: one palette and one stylesheet for light and dark, following the
system's colour scheme, and the shared widgets (re-exported from ``gui.widgets``).

Spacing follows an 8 px grid (4 px for hairline adjustments); corners are 8 px on controls and
12 px on cards; keyboard focus always shows a 2 px ring in the theme's focus colour.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from gui import icons, theme
from gui.theme import DARK, LIGHT, Theme
from gui.widgets import (
    CONTENT_WIDTH,
    Avatar,
    Badge,
    Banner,
    Card,
    EmptyState,
    button,
    caption,
    content_column,
    heading,
    plain_label,
    repolish,
    separator,
)

__all__ = [
    "CONTENT_WIDTH",
    "Avatar",
    "Badge",
    "Banner",
    "Card",
    "EmptyState",
    "Theme",
    "apply_theme",
    "button",
    "caption",
    "content_column",
    "follow_system_scheme",
    "heading",
    "palette_for",
    "plain_label",
    "repolish",
    "separator",
    "stylesheet",
    "system_prefers_dark",
]

MIN_POINT_SIZE = 10.0
"""The default font is at least this big (readable at a glance from a standing position)."""


def palette_for(t: Theme) -> QPalette:
    """A ``QPalette`` for the Fusion style built from a theme's tokens."""
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: t.window,
        QPalette.ColorRole.WindowText: t.text,
        QPalette.ColorRole.Base: t.surface,
        QPalette.ColorRole.AlternateBase: t.surface_alt,
        QPalette.ColorRole.Text: t.text,
        QPalette.ColorRole.Button: t.surface,
        QPalette.ColorRole.ButtonText: t.text,
        QPalette.ColorRole.BrightText: t.danger,
        QPalette.ColorRole.Highlight: t.accent,
        QPalette.ColorRole.HighlightedText: t.accent_text,
        QPalette.ColorRole.ToolTipBase: t.surface,
        QPalette.ColorRole.ToolTipText: t.text,
        QPalette.ColorRole.PlaceholderText: t.muted,
        QPalette.ColorRole.Link: t.accent,
        QPalette.ColorRole.LinkVisited: t.accent,
        QPalette.ColorRole.Light: t.surface,
        QPalette.ColorRole.Midlight: t.surface_alt,
        QPalette.ColorRole.Mid: t.border,
        QPalette.ColorRole.Dark: t.border_strong,
        QPalette.ColorRole.Shadow: "#000000",
        QPalette.ColorRole.Accent: t.accent,
    }
    for role, color in roles.items():
        p.setColor(QPalette.ColorGroup.All, role, QColor(color))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(t.muted))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base, QColor(t.surface_alt))
    return p


def stylesheet(t: Theme) -> str:
    """The one application stylesheet for a theme."""
    tones = "\n".join(
        f'Badge[tone="{tone}"] {{ color: {fg}; background: {bg}; }}\n'
        f'Banner[tone="{tone}"] {{ background: {bg}; border: 1px solid {bg}; }}\n'
        f'Banner[tone="{tone}"] QLabel {{ color: {t.text}; background: transparent; }}'
        for tone, (fg, bg) in ((name, t.tone(name)) for name in theme.TONES)
    )
    arrows = (icons.ICONS_DIR / "ui").as_posix()
    scheme = "dark" if t.dark else "light"
    return f"""
QToolTip {{ color: {t.text}; background: {t.surface}; border: 1px solid {t.border};
    padding: 4px 8px; }}
QLabel[heading="1"] {{ font-size: 24px; font-weight: 600; }}
QLabel[heading="2"] {{ font-size: 18px; font-weight: 600; }}
QLabel[heading="3"] {{ font-size: 15px; font-weight: 600; }}
QLabel[muted="true"] {{ color: {t.muted}; }}
QLabel[error="true"] {{ color: {t.danger}; }}
QFrame[separator="true"] {{ background: {t.border}; border: none; }}
Card {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 12px; }}
Badge {{ border-radius: 6px; padding: 2px 8px; font-weight: 600; font-size: 12px; }}
Banner {{ border-radius: 8px; }}
Avatar {{ background: {t.accent_soft}; color: {t.accent}; }}
{tones}

QPushButton {{ background: {t.surface}; color: {t.text}; border: 1px solid {t.border_strong};
    border-radius: 8px; padding: 7px 16px; min-height: 20px; }}
QPushButton:hover {{ background: {t.hover}; }}
QPushButton:pressed {{ background: {t.border}; }}
QPushButton:focus {{ border: 2px solid {t.focus}; padding: 6px 15px; }}
QPushButton:disabled {{ color: {t.muted}; background: {t.surface_alt}; border-color: {t.border}; }}
QPushButton[kind="primary"] {{ background: {t.accent}; color: {t.accent_text};
    border-color: {t.accent}; font-weight: 600; }}
QPushButton[kind="primary"]:hover {{ background: {t.accent_hover}; }}
QPushButton[kind="primary"]:focus {{ border: 2px solid {t.focus}; }}
QPushButton[kind="primary"]:disabled {{ background: {t.border}; color: {t.muted};
    border-color: {t.border}; }}
QPushButton[kind="danger"] {{ background: {t.danger_soft}; color: {t.danger};
    border-color: {t.danger}; font-weight: 600; }}
QPushButton[kind="danger"]:disabled {{ background: {t.surface_alt}; color: {t.muted};
    border-color: {t.border}; }}
QPushButton[chip="true"] {{ border-radius: 14px; padding: 4px 12px; min-height: 18px;
    color: {t.muted}; }}
QPushButton[chip="true"]:checked {{ background: {t.accent_soft}; color: {t.accent};
    border: 1px solid {t.accent}; }}
QPushButton[chip="true"]:focus {{ border: 2px solid {t.focus}; padding: 3px 11px; }}
QPushButton[kind="ghost"] {{ background: transparent; border-color: transparent; }}
QPushButton[kind="ghost"]:hover {{ background: {t.hover}; }}
QPushButton[kind="ghost"]:focus {{ border: 2px solid {t.focus}; }}

QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QSpinBox, QDateEdit, QTimeEdit,
QDateTimeEdit {{ background: {t.surface}; color: {t.text}; border: 1px solid {t.border_strong};
    border-radius: 8px; padding: 6px 10px; selection-background-color: {t.accent};
    selection-color: {t.accent_text}; }}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QComboBox:focus, QSpinBox:focus,
QDateEdit:focus, QTimeEdit:focus, QDateTimeEdit:focus {{ border: 2px solid {t.focus};
    padding: 5px 9px; }}
QLineEdit:disabled, QPlainTextEdit:disabled, QComboBox:disabled, QSpinBox:disabled {{
    background: {t.surface_alt}; color: {t.muted}; }}
QLineEdit[error="true"] {{ border: 2px solid {t.danger}; padding: 5px 9px; }}
QComboBox {{ padding-right: 28px; }}
QComboBox:focus {{ padding-right: 27px; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right;
    width: 28px; border: none; }}
QComboBox::down-arrow {{ image: url("{arrows}/arrow-down-{scheme}.svg"); width: 14px;
    height: 14px; }}
QSpinBox, QDateEdit, QTimeEdit, QDateTimeEdit {{ padding-right: 24px; }}
QSpinBox::up-button, QDateEdit::up-button, QTimeEdit::up-button, QDateTimeEdit::up-button {{
    subcontrol-origin: border; subcontrol-position: top right; width: 22px; border: none;
    background: transparent; margin: 3px 3px 0 0; }}
QSpinBox::down-button, QDateEdit::down-button, QTimeEdit::down-button,
QDateTimeEdit::down-button {{ subcontrol-origin: border; subcontrol-position: bottom right;
    width: 22px; border: none; background: transparent; margin: 0 3px 3px 0; }}
QSpinBox::up-button:hover, QSpinBox::down-button:hover, QDateEdit::up-button:hover,
QDateEdit::down-button:hover, QTimeEdit::up-button:hover, QTimeEdit::down-button:hover {{
    background: {t.hover}; border-radius: 4px; }}
QSpinBox::up-arrow, QDateEdit::up-arrow, QTimeEdit::up-arrow, QDateTimeEdit::up-arrow {{
    image: url("{arrows}/arrow-up-{scheme}.svg"); width: 12px; height: 12px; }}
QSpinBox::down-arrow, QDateEdit::down-arrow, QTimeEdit::down-arrow,
QDateTimeEdit::down-arrow {{ image: url("{arrows}/arrow-down-{scheme}.svg"); width: 12px;
    height: 12px; }}
QComboBox QAbstractItemView {{ background: {t.surface}; border: 1px solid {t.border};
    selection-background-color: {t.accent_soft}; selection-color: {t.text}; }}
QCheckBox, QRadioButton {{ spacing: 8px; }}

QScrollArea {{ background: transparent; border: none; }}
QScrollArea > QWidget > QWidget {{ background: transparent; }}
QScrollBar:vertical {{ background: transparent; width: 12px; margin: 0; }}
QScrollBar:horizontal {{ background: transparent; height: 12px; margin: 0; }}
QScrollBar::handle {{ background: {t.border_strong}; border-radius: 4px; margin: 2px; }}
QScrollBar::handle:vertical {{ min-height: 32px; }}
QScrollBar::handle:horizontal {{ min-width: 32px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}

QTabWidget::pane {{ border: 1px solid {t.border}; border-radius: 8px; background: {t.surface};
    top: -1px; }}
QTabBar::tab {{ padding: 8px 16px; border: none; border-bottom: 2px solid transparent;
    color: {t.muted}; background: transparent; }}
QTabBar::tab:selected {{ color: {t.text}; border-bottom: 2px solid {t.accent}; }}
QTabBar::tab:hover {{ color: {t.text}; }}
QTableView, QListView, QTreeView {{ background: {t.surface}; border: 1px solid {t.border};
    border-radius: 8px; alternate-background-color: {t.surface_alt}; gridline-color: {t.border};
    selection-background-color: {t.accent_soft}; selection-color: {t.text}; }}
QListView::item {{ padding: 6px 8px; border-radius: 6px; }}
QListView::item:selected {{ background: {t.accent_soft}; color: {t.text}; }}
QHeaderView::section {{ background: {t.surface_alt}; color: {t.muted}; border: none;
    border-bottom: 1px solid {t.border}; padding: 6px 8px; font-weight: 600; }}
QGroupBox {{ border: 1px solid {t.border}; border-radius: 8px; margin-top: 16px;
    padding: 16px 8px 8px 8px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 12px; padding: 0 4px; }}
QMenu {{ background: {t.surface}; border: 1px solid {t.border}; padding: 4px; }}
QMenu::item {{ padding: 6px 24px 6px 12px; border-radius: 4px; }}
QMenu::item:selected {{ background: {t.accent_soft}; color: {t.text}; }}
QProgressBar {{ border: 1px solid {t.border}; border-radius: 6px; background: {t.surface_alt};
    text-align: center; min-height: 12px; }}
QProgressBar::chunk {{ background: {t.accent}; border-radius: 5px; }}

#Nav {{ background: {t.surface_alt}; border: none; border-right: 1px solid {t.border}; }}
#Nav QLabel {{ background: transparent; }}
QPushButton[nav="true"] {{ text-align: left; padding: 10px 12px; border: 2px solid transparent;
    border-radius: 8px; background: transparent; color: {t.text}; font-size: 14px; }}
QPushButton[nav="true"]:hover {{ background: {t.hover}; }}
QPushButton[nav="true"]:checked {{ background: {t.accent_soft}; color: {t.accent};
    font-weight: 600; }}
QPushButton[nav="true"]:focus {{ border: 2px solid {t.focus}; padding: 10px 12px; }}
#TopBar {{ background: {t.surface}; border: none; border-bottom: 1px solid {t.border}; }}
#LockScreen, #SignInScreen {{ background: {t.window}; }}
#RecoveryKey {{ font-family: "DejaVu Sans Mono", "Consolas", "Menlo", monospace;
    font-size: 20px; font-weight: 600; background: {t.surface_alt};
    border: 1px dashed {t.border_strong}; border-radius: 8px; padding: 16px; }}
QPushButton[person="true"] {{ min-height: 52px; padding: 12px 16px; border-radius: 12px;
    background: {t.surface}; border: 1px solid {t.border}; }}
QPushButton[person="true"]:hover {{ border-color: {t.accent}; background: {t.surface}; }}
QPushButton[person="true"]:focus {{ border: 2px solid {t.focus}; padding: 11px 15px; }}
"""


def system_prefers_dark() -> bool:
    """Whether the desktop asks for a dark colour scheme (``False`` when it does not say)."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, dark: bool | None = None) -> Theme:
    """Apply the light or dark theme (``None``: what the system prefers) to the whole app,
    re-colouring bound icons. Returns the theme applied."""
    chosen = (
        (DARK if system_prefers_dark() else LIGHT) if dark is None else (DARK if dark else LIGHT)
    )
    theme.set_current(chosen)
    font = QFont(app.font())
    if 0 < font.pointSizeF() < MIN_POINT_SIZE:
        font.setPointSizeF(MIN_POINT_SIZE)
        app.setFont(font)
    app.setPalette(palette_for(chosen))
    app.setStyleSheet(stylesheet(chosen))
    icons.refresh_bound()
    return chosen


def follow_system_scheme(app: QApplication) -> None:
    """Re-apply the theme whenever the desktop switches between light and dark."""
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))
