"""Message segmenting and script stepping of the store."""

from smsconf.emulator.telesign.messages import StoredMessage, valid_reference


def message(text: str, script: tuple[int, ...] = (290, 203, 200)) -> StoredMessage:
    return StoredMessage("A" * 32, "C", "15555550123", text, "ARN", None, None, None, 0.0, script)


def test_gsm7_segments() -> None:
    assert message("a" * 160).parts == 1
    assert message("a" * 161).parts == 2
    assert message("a" * 306).parts == 2
    assert message("a" * 307).parts == 3


def test_ucs2_segments() -> None:
    assert message("€" * 70).parts == 1
    assert message("€" * 71).parts == 2


def test_script_advances_and_stops_at_the_end() -> None:
    stored = message("hi", (290, 521))
    assert stored.status_code == 290
    stored.advance()
    stored.advance()
    assert stored.status_code == 521


def test_reference_format() -> None:
    assert valid_reference("0123456789abcdef0123456789ABCDEF")
    assert not valid_reference("0" * 31)
    assert not valid_reference("G" * 32)
