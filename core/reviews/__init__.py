"""The review-response inbox: reviews and mentions collected from many sources, triaged,
answered without disclosing PHI, on time. Import the modules directly
(``core.reviews.model``, ``core.reviews.service``…)."""
