"""`send_test_sms` against the emulator: delivered, failed, still in flight, refused."""

import httpx
import pytest

from smsconf.emulator.telesign import create_app
from smsconf.telesign.errors import TelesignRejected
from smsconf.telesign.sending import send_test_sms

from .conftest import EMULATED, FAST, GOOD, Target

SENDER = GOOD.numbers[0].number
HANDSET = "15555550123"


async def test_delivered(target: Target) -> None:
    result = await send_test_sms(
        target.account(),
        SENDER,
        HANDSET,
        "smsconf test",
        poll_interval=0.0,
        transport=target.transport,
        policy=FAST,
    )
    assert result.final and result.delivered
    assert [update.code for update in result.history] == [290, 203, 200]
    assert result.last.description == "Delivered to handset"
    [stored] = target.emulator.messages.values()
    assert (stored.reference_id, stored.sender_id, stored.phone_number) == (
        result.reference_id,
        SENDER,
        HANDSET,
    )


def scripted(script: tuple[int, ...]) -> Target:
    account = EMULATED[0].model_copy(update={"delivery": {HANDSET: script}})
    app = create_app([account])
    return Target("https://rest-api.telesign.test", httpx.ASGITransport(app), app.state.telesign)


async def test_final_failure_is_reported() -> None:
    target = scripted((290, 292, 521))
    result = await send_test_sms(
        target.account(),
        SENDER,
        HANDSET,
        "x",
        poll_interval=0.0,
        transport=target.transport,
        policy=FAST,
    )
    assert result.final and not result.delivered
    assert result.last.code == 521


async def test_deadline_before_a_final_state() -> None:
    target = scripted((290,) * 50)
    result = await send_test_sms(
        target.account(),
        SENDER,
        HANDSET,
        "x",
        deadline=0.25,
        poll_interval=0.1,
        transport=target.transport,
        policy=FAST,
    )
    assert not result.final and not result.delivered
    assert 1 <= len(result.history) <= 3


@pytest.mark.parametrize(
    ("sender", "api_key", "code"),
    [
        ("19999999999", GOOD.api_key, 11013),
        (SENDER, "d3Jvbmc=", 10008),
    ],
)
async def test_refused_send_raises(local: Target, sender: str, api_key: str, code: int) -> None:
    with pytest.raises(TelesignRejected) as raised:
        await send_test_sms(
            local.account(api_key=api_key),
            sender,
            HANDSET,
            "x",
            transport=local.transport,
            policy=FAST,
        )
    assert raised.value.code == code
    assert local.emulator.messages == {}
