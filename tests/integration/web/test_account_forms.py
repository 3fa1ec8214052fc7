"""The account page's transfer and lock forms act only on the signed-in person's own names and
offers (the use cases' rules, seen through the page): another account's name or offer is "not
found" with the reason shown, and nothing changes."""

import secrets

import pytest

from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.integration.web.browser_kit import browser_signed_in

pytestmark = pytest.mark.integration
SAME_ORIGIN = {"origin": TEST_PUBLIC_URL}


@pytest.fixture
def api_settings_env(api_settings_env: dict[str, str]) -> dict[str, str]:
    return api_settings_env | {"ENVIRONMENT": "development"}


async def test_k2_another_accounts_name_and_offer_are_out_of_reach_of_the_account_forms(api):
    alice = await api.sign_in()
    receiver = await api.sign_in()
    name = await api.client.post(
        "/api/v1/nip05", json={"name": "own-" + secrets.token_hex(4)}, headers=alice.headers
    )
    assert name.status_code == 201, name.text
    name_id = name.json()["id"]
    offer = await api.client.post(
        f"/api/v1/nip05/{name_id}/offers", json={"to_pubkey": receiver.pubkey}, headers=alice.headers
    )
    assert offer.status_code == 201, offer.text
    offer_id = offer.json()["id"]
    mallory = await browser_signed_in(api)

    answers = [
        await api.client.post(
            f"/account/names/{name_id}/lock", data=mallory.form(locked="true"), headers=SAME_ORIGIN
        ),
        await api.client.post(
            f"/account/names/{name_id}/offers", data=mallory.form(to=mallory.pubkey), headers=SAME_ORIGIN
        ),
        await api.client.post(
            f"/account/offers/{offer_id}/withdraw", data=mallory.form(), headers=SAME_ORIGIN
        ),
        await api.client.post(f"/account/offers/{offer_id}/accept", data=mallory.form(), headers=SAME_ORIGIN),
    ]

    assert [answer.status_code for answer in answers] == [404] * 4
    assert all('role="alert"' in answer.text for answer in answers)
    offers = (await api.client.get("/api/v1/nip05/offers", headers=alice.headers)).json()["items"]
    assert [item["id"] for item in offers] == [offer_id]
    names = (await api.client.get("/api/v1/nip05", headers=alice.headers)).json()["items"]
    assert [(item["id"], item["locked"]) for item in names] == [(name_id, False)]


async def test_a_lock_form_without_its_field_is_refused_with_the_reason(api):
    browser = await browser_signed_in(api)
    registered = await api.client.post(
        "/account/names", data=browser.form(name="lk-" + secrets.token_hex(4)), headers=SAME_ORIGIN
    )
    assert registered.status_code == 200, registered.status_code  # the redirect, followed
    name_id = registered.text.split('action="/account/names/')[1].split("/")[0]

    refused = await api.client.post(
        f"/account/names/{name_id}/lock", data=browser.form(), headers=SAME_ORIGIN
    )

    assert refused.status_code == 422 and 'role="alert"' in refused.text and "locked" in refused.text
