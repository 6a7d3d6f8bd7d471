"""The staff incentive log: contributions credited from the audit trail, rewards, goals."""
