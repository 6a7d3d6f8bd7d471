"""The practice's profile and its settings (auto-lock, backups, rules of engagement)."""
