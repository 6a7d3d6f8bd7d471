"""The Today page: one list of what needs attention, fed by every feature."""
