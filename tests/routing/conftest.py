"""The workspace fixtures (an empty local organisation, or the example applied, and a copy of
the example)."""

from tools.testkit.workspace import applied, applied_db, ws

__all__ = ["applied", "applied_db", "ws"]
