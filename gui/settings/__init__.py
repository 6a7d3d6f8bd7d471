"""Settings: practice profile, staff, security, rules of engagement, backups, the audit
trail and about."""
