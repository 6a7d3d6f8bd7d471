"""Front Desk Social's domain: plain dataclasses, rules and services.

This package is UI-independent and storage-independent by design: it imports no PySide6, no
SQLAlchemy and no keyring (an import-linter contract in pyproject.toml enforces it). Services
reach the database and the OS through the small ``typing.Protocol`` ports defined next to them;
``storage/`` implements those ports and ``main.py`` wires the two together.
"""
