"""Front Desk Social's storage: the database, its migrations, the media vault and secrets.

Implements the ports defined in ``core`` (``core.ports``, ``core.backup.model``,
``core.secrets``) over SQLAlchemy 2, Alembic, SQLCipher (``sqlcipher3``), PostgreSQL
(``psycopg``) and the OS keyring. Never imports PySide6 or ``gui`` (an import-linter contract
enforces it). ``main.py`` opens everything through ``storage.bootstrap``.
"""
