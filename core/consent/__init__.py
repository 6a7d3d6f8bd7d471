"""The patient photo-consent tracker: patients, their written authorizations (45 CFR
164.508(c)), status over time, revocation and the takedown list. Import modules directly
(``core.consent.model``, ``core.consent.rules``, ``core.consent.service``)."""
