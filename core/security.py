"""Emergency access: showing the database's recovery key again, to an admin who re-enters
their PIN."""

from __future__ import annotations

from core.audit.service import AuditService
from core.errors import MissingDatabaseKey
from core.keys import recovery_key
from core.secrets import SecretStore
from core.staff.model import Permission, StaffMember
from core.staff.service import StaffService, require


class SecurityService:
    """The database key's recovery form, for admins (audited)."""

    def __init__(
        self, secrets: SecretStore, key_name: str | None, staff: StaffService, audit: AuditService
    ) -> None:
        self._secrets = secrets
        self._key_name = key_name
        self._staff = staff
        self._audit = audit

    @property
    def available(self) -> bool:
        """``False`` on a shared server, whose encryption its administrator manages."""
        return self._key_name is not None

    def reveal_recovery_key(self, actor: StaffMember, pin: str) -> str:
        """The recovery key, after checking the admin's PIN again (wrong PINs count)."""
        require(actor, Permission.MANAGE_STAFF)
        self._staff.sign_in(actor.id, pin, unlock=True)
        stored = self._secrets.get(self._key_name) if self._key_name else None
        if stored is None:
            raise MissingDatabaseKey("The database key is not in the keyring.")
        self._audit.record(actor, "security.reveal_recovery_key", "database", "local")
        return recovery_key(bytes.fromhex(stored))
