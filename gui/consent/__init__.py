"""The Consent page: patients and their photo-consent authorizations (HIPAA, 45 CFR
164.508(c)) — search, status filter, the one-minute capture at the desk with a signature pad,
the signed PDF and the blank form, revocation and the open takedowns."""
