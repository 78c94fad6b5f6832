"""A wrapper that keeps a Telesign API key out of every repr, str, log line and traceback."""

import hashlib
from typing import NoReturn


class ApiKey:
    """An API key that only `reveal()` gives back.

    `repr`/`str`/`format` print a mask, and pickling or copying to text is refused, so the key
    cannot reach a log, a plan, an exception message or a rich table by accident.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not value:
            raise ValueError("an API key must not be empty")
        self._value = value

    def reveal(self) -> str:
        """The key itself: only for signing a request."""
        return self._value

    def fingerprint(self) -> str:
        """A short stable digest: tells keys apart (cache keys, "changed") without showing them."""
        return hashlib.sha256(self._value.encode("utf-8")).hexdigest()[:12]

    def __repr__(self) -> str:
        return f"ApiKey(fingerprint={self.fingerprint()!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("ApiKey", self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("an ApiKey cannot be pickled")
