"""Rate-limit and usage-flush settings: defaults, values, and bad values naming their variable."""

import pytest

from bootstrap.metering import rate_policies
from bootstrap.settings import SettingsError, load_settings


def test_defaults_give_the_documented_policies_per_minute():
    policies = rate_policies(load_settings({}))

    assert (policies.api_key.limit, policies.anonymous.limit, policies.sign_in.limit) == (600, 60, 10)
    assert {policies.api_key.period, policies.anonymous.period, policies.sign_in.period} == {60.0}
    assert load_settings({}).usage_flush_interval == 2


def test_values_are_read_from_the_environment():
    settings = load_settings(
        {
            "RATE_LIMIT_API_KEY": "5",
            "RATE_LIMIT_ANONYMOUS": "4",
            "RATE_LIMIT_SIGN_IN": "3",
            "USAGE_FLUSH_INTERVAL": "7",
        }
    )
    policies = rate_policies(settings)

    assert (policies.api_key.limit, policies.anonymous.limit, policies.sign_in.limit) == (5, 4, 3)
    assert settings.usage_flush_interval == 7


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("RATE_LIMIT_API_KEY", "0"),
        ("RATE_LIMIT_ANONYMOUS", "many"),
        ("RATE_LIMIT_SIGN_IN", "-1"),
        ("USAGE_FLUSH_INTERVAL", "0"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value):
    with pytest.raises(SettingsError, match=variable):
        load_settings({variable: value})


def test_drain_seconds_default_to_five_and_are_read_from_the_environment():
    assert load_settings({}).drain_seconds == 5
    assert load_settings({"DRAIN_SECONDS": "0.5"}).drain_seconds == 0.5
    with pytest.raises(SettingsError, match="DRAIN_SECONDS"):
        load_settings({"DRAIN_SECONDS": "-1"})
