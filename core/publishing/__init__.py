"""Publishing posts: the connector interface (an API per platform, or a person by hand), the
outbox that sends each platform's variant exactly once, and the scheduler's use cases.

Import the modules directly (``core.publishing.service`` and friends): this package stays
empty so that importing it loads nothing.
"""
