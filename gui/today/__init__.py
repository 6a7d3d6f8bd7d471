"""Today: one list of what needs attention, from every feature, most urgent first."""
