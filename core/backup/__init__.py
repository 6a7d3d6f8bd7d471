"""Backups of the practice database: on demand, daily, pruned, and restorable."""
