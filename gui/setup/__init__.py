"""The first-run setup wizard: practice, first admin and the recovery key."""

from gui.setup.wizard import SetupWizard, create_practice

__all__ = ["SetupWizard", "create_practice"]
