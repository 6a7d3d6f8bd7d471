"""Platform connectors: each publishes through one platform's official API for one connected
account (``core.accounts.model.Account``). ``core.connectors.http`` is the shared HTTP helper
every requests-based connector uses."""

from core.connectors.registry import (
    RegistrySource,
    api_platforms,
    build_registry,
    manual_reasons,
    publishing_account,
)

__all__ = [
    "RegistrySource",
    "api_platforms",
    "build_registry",
    "manual_reasons",
    "publishing_account",
]
