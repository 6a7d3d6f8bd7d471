"""The Reviews page: the inbox of reviews and mentions (filters, full-text search, a lazily
fetched table), triage step by step, the reply editor with its live PHI check and approval, and
the doctor's short printable list."""
