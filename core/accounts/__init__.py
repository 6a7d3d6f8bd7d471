"""Platform accounts the practice publishes to: who they are (``model``), how their tokens are
kept and refreshed (``tokens``), how a person connects one (``oauth``, ``service``)."""
