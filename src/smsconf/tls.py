"""The one verifying TLS context every outgoing HTTPS client of a run shares.

Building a context reads the CA bundle (~30 ms). A plan opens a Dataverse client and a Telesign
client per account; each building its own paid that read again every time.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def verifying_context() -> ssl.SSLContext:
    """httpx's default verifying context (certifi's bundle), built on first use."""
    return httpx.create_ssl_context()
