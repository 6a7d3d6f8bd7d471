"""The append-only, hash-chained audit trail (45 CFR 164.312(b) audit controls)."""
