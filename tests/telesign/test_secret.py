"""The API key wrapper never shows its value."""

import copy
import pickle

import pytest

from smsconf.telesign.secret import ApiKey

VALUE = "c2Vjb25kLWRlbW8ta2V5LWZvci1zbXNjb25m"


def test_masked_everywhere() -> None:
    key = ApiKey(VALUE)
    for text in (repr(key), str(key), f"{key}", f"{key!r}", repr([key]), repr({"k": key})):
        assert VALUE not in text
        assert "ApiKey(fingerprint=" in text


def test_reveal_and_fingerprint() -> None:
    key = ApiKey(VALUE)
    assert key.reveal() == VALUE
    assert key.fingerprint() == ApiKey(VALUE).fingerprint() != ApiKey("b3RoZXI=").fingerprint()
    assert len(key.fingerprint()) == 12 and key.fingerprint() not in VALUE


def test_equality_and_hash() -> None:
    assert ApiKey(VALUE) == ApiKey(VALUE)
    assert ApiKey(VALUE) != ApiKey("b3RoZXI=")
    assert ApiKey(VALUE) != VALUE
    assert len({ApiKey(VALUE), ApiKey(VALUE)}) == 1


def test_refuses_pickling_and_empty() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(ApiKey(VALUE))
    with pytest.raises(TypeError):
        copy.deepcopy(ApiKey(VALUE))
    with pytest.raises(ValueError):
        ApiKey("")
