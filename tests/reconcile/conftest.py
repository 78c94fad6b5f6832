"""Fixtures of the reconcile tests: a workspace with the example, empty or already applied.

They live in `workspace.py` so the CLI's end-to-end tests share them without a conftest of
their own directory.
"""

from tools.testkit.workspace import applied, applied_db, ws

__all__ = ["applied", "applied_db", "ws"]
