"""The ASGI layer: bearer auth, routing outside the Web API, the Telesign inbound callback."""

from __future__ import annotations

import base64

import httpx
import pytest
from tests.emulator.dataverse.conftest import API, ORG

from smsconf.emulator.dataverse import DataverseEmulator, create_app

API_KEY = base64.b64encode(b"telesign-secret-key").decode()


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}]
)
async def test_missing_bearer_is_401_with_authority(
    app: DataverseEmulator, headers: dict[str, str]
) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=API) as http:
        response = await http.get("WhoAmI", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith(
        "Bearer authorization_uri=https://login.microsoftonline.com/"
    )
    assert response.headers["WWW-Authenticate"].endswith(f", resource_id={ORG}/")
    assert set(response.json()["error"]) == {"code", "message"}


async def test_configured_token_is_the_only_one_accepted() -> None:
    app = create_app(token="right")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=API) as http:
        wrong = await http.get("WhoAmI", headers={"Authorization": "Bearer wrong"})
        right = await http.get("WhoAmI", headers={"Authorization": "Bearer right"})
    app.close()
    assert (wrong.status_code, right.status_code) == (401, 200)


async def test_paths_outside_the_api_are_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{ORG}/somewhere/else")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "0x80060888"


async def test_configured_base_url_is_used_in_links() -> None:
    app = create_app(base_url="https://contoso.crm.dynamics.com/")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=API, headers={"Authorization": "Bearer t"}
    ) as http:
        response = await http.post("msdyn_occommunicationprovidersettings", json={})
    app.close()
    assert response.headers["OData-EntityId"].startswith(
        "https://contoso.crm.dynamics.com/api/data/v9.2/msdyn_occommunicationprovidersettings("
    )
