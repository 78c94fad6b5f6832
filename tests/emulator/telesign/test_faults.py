"""Fault specs parse strictly and seeded draws repeat."""

import pytest

from smsconf.emulator.telesign.faults import FaultInjector, Faults, parse_faults


def test_parse_all_fields() -> None:
    assert parse_faults("throttle=0.25, outage=0.1,throttle_next=2,outage_next=1,delay=1.5") == (
        Faults(throttle=0.25, outage=0.1, throttle_next=2, outage_next=1, delay=1.5)
    )
    assert parse_faults("") == Faults()


@pytest.mark.parametrize("spec", ["slow", "explode=1", "throttle"])
def test_parse_rejects_unknown(spec: str) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        parse_faults(spec)


def test_counters_fail_exactly_the_next_requests() -> None:
    injector = FaultInjector(Faults(outage_next=2), seed=0)
    assert [injector.draw("outage") for _ in range(4)] == [True, True, False, False]
    assert not injector.draw("throttle")


def test_same_seed_same_draws() -> None:
    def draws(seed: int) -> list[bool]:
        injector = FaultInjector(Faults(throttle=0.5), seed)
        return [injector.draw("throttle") for _ in range(32)]

    assert draws(3) == draws(3)
    assert draws(3) != draws(4)
