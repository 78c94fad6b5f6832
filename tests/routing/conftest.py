"""The workspace fixtures (an empty local organisation and a copy of the example)."""

from tools.testkit.workspace import ws

__all__ = ["ws"]
