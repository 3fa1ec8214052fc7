from pathlib import Path

import pytest

from bootstrap.settings import SettingsError, load_settings

SECRET = "3f9a1c7e5b2d8046af13c9e7b5d20864"


def test_defaults_select_embedded_services_and_development():
    settings = load_settings({})
    assert settings.environment == "development"
    assert settings.database_url is None
    assert settings.redis_url is None
    assert settings.relay_urls == ()
    assert settings.wot_max_depth == 3
    assert settings.wot_cache_ttl == 300
    assert settings.data_dir == Path(".data")


def test_values_are_read_and_normalized():
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql://u@db:5432/app",
            "REDIS_URL": "redis://cache:6379/0",
            "RELAY_URLS": " wss://relay.one , ws://127.0.0.1:7000 ",
            "PUBLIC_URL": "https://id.example.com/",
            "WOT_SEEDS": "aa,bb",
            "WOT_MAX_DEPTH": "2",
            "LOG_LEVEL": "debug",
            "DNS_NAMESERVERS": "9.9.9.9, 2620:fe::fe",
        }
    )
    assert settings.dns_nameservers == ("9.9.9.9", "2620:fe::fe")
    assert settings.relay_urls == ("wss://relay.one", "ws://127.0.0.1:7000")
    assert settings.public_url == "https://id.example.com"
    assert settings.default_domain == "id.example.com"
    assert settings.wot_seeds == ("aa", "bb")
    assert settings.wot_max_depth == 2
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://db/app"),
        ("REDIS_URL", "http://cache"),
        ("RELAY_URLS", "https://relay.example"),
        ("RELAY_URLS", "wss://ok.example,nonsense"),
        ("PUBLIC_URL", "ftp://x"),
        ("WOT_MAX_DEPTH", "three"),
        ("WOT_MAX_DEPTH", "0"),
        ("WOT_CACHE_TTL", "-5"),
        ("WOT_REQUEST_DEADLINE", "soon"),
        ("WOT_REQUEST_DEADLINE", "0"),
        ("LOG_LEVEL", "loud"),
        ("ENVIRONMENT", "staging"),
        ("JWT_SECRET", "short"),
        ("DNS_NAMESERVERS", "1.1.1.1,resolver.example"),
    ],
)
def test_a_bad_value_names_the_variable(name, value):
    with pytest.raises(SettingsError, match=rf"^{name}:"):
        load_settings({name: value})


def test_j7_production_refuses_a_missing_signing_secret():
    with pytest.raises(SettingsError, match=r"^JWT_SECRET:"):
        load_settings({"ENVIRONMENT": "production", "SERVICE_NSEC": "nsec1x"})


def test_j7_a_short_signing_secret_stops_start_up_in_any_environment():
    with pytest.raises(SettingsError, match=r"^JWT_SECRET: must be at least 32 bytes"):
        load_settings({"ENVIRONMENT": "production", "JWT_SECRET": "x" * 31, "SERVICE_NSEC": "nsec1x"})


def test_production_accepts_a_long_secret():
    settings = load_settings({"ENVIRONMENT": "production", "JWT_SECRET": SECRET, "SERVICE_NSEC": "nsec1x"})
    assert settings.jwt_secret == SECRET


@pytest.mark.parametrize(
    "secret",
    [
        "change-me-change-me-change-me-change-me",
        "my-super-secret-jwt-signing-key-for-prod",
        "a" * 64,
        "abababababababababababababababab",
    ],
)
def test_j7_a_default_or_placeholder_signing_secret_stops_start_up_outside_development(secret):
    with pytest.raises(SettingsError, match=r"^JWT_SECRET: looks like a placeholder"):
        load_settings({"ENVIRONMENT": "production", "JWT_SECRET": secret, "SERVICE_NSEC": "nsec1x"})
    with pytest.raises(SettingsError, match=r"^JWT_SECRET:"):
        load_settings({"ENVIRONMENT": "test", "JWT_SECRET": secret, "SERVICE_NSEC": "nsec1x"})


def test_j2_a_public_key_or_jwk_as_the_signing_secret_stops_start_up_outside_development():
    pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----"
    jwk = (
        '{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",'
        '"y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}'
    )
    for secret in (pem, jwk):
        with pytest.raises(SettingsError, match=r"^JWT_SECRET: looks like a public key or JWK"):
            load_settings({"ENVIRONMENT": "production", "JWT_SECRET": secret, "SERVICE_NSEC": "nsec1x"})


def test_development_may_run_with_any_long_secret_or_none():
    assert load_settings({"JWT_SECRET": "a" * 32}).jwt_secret == "a" * 32
    assert load_settings({}).jwt_secret is None


def test_trusted_proxies_are_cidrs_and_a_bad_one_stops_start_up_naming_the_variable():
    settings = load_settings({"TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8::/32 ,192.0.2.7"})
    assert [str(network) for network in settings.trusted_proxies] == [
        "10.0.0.0/8",
        "2001:db8::/32",
        "192.0.2.7/32",
    ]
    assert load_settings({}).trusted_proxies == ()
    for bad in ("10.0.0.1/8", "10.0.0.0/33", "proxy.internal", "10.0.0.0/8;"):
        with pytest.raises(SettingsError, match="TRUSTED_PROXIES"):
            load_settings({"TRUSTED_PROXIES": bad})


def test_the_fake_providers_webhook_secret_is_read_outside_production_and_refused_in_production():
    assert load_settings({"FAKE_WEBHOOK_SECRET": "whsec-fake"}).fake_webhook_secret == "whsec-fake"
    assert load_settings({}).fake_webhook_secret is None
    with pytest.raises(SettingsError, match=r"^FAKE_WEBHOOK_SECRET: .*never used in production"):
        load_settings(
            {
                "ENVIRONMENT": "production",
                "JWT_SECRET": SECRET,
                "SERVICE_NSEC": "nsec1x",
                "FAKE_WEBHOOK_SECRET": "whsec-fake",
            }
        )


def test_nip46_relays_default_to_the_services_websocket_relays():
    assert load_settings({"RELAY_URLS": "ws://127.0.0.1:7777"}).nip46_relay_urls == ("ws://127.0.0.1:7777",)
    assert load_settings({"RELAY_URLS": "memory://"}).nip46_relay_urls == ()
    given = load_settings({"RELAY_URLS": "memory://", "NIP46_RELAYS": "wss://a.example, wss://b.example"})
    assert given.nip46_relay_urls == ("wss://a.example", "wss://b.example")


def test_a_nip46_relay_that_is_not_a_websocket_url_stops_start_up_naming_the_variable():
    with pytest.raises(SettingsError, match="NIP46_RELAYS"):
        load_settings({"NIP46_RELAYS": "https://relay.example"})
