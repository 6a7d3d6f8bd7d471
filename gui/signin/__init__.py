"""Signing in and unlocking: the staff list, the PIN field and the lock screen."""

from gui.signin.lock import LockScreen
from gui.signin.people import PersonButton, role_label
from gui.signin.screen import SignInScreen

__all__ = ["LockScreen", "PersonButton", "SignInScreen", "role_label"]
