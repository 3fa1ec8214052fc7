import pytest

from bootstrap.keys import csrf_secret, jwt_secret, service_secret_key
from bootstrap.settings import SettingsError, load_settings
from domain.nostr.nip19 import encode_nsec
from domain.nostr.signing import generate_secret_key


def test_development_makes_a_key_once_and_keeps_it(tmp_path):
    settings = load_settings({"DATA_DIR": str(tmp_path)})
    first = service_secret_key(settings)
    assert len(first) == 64
    assert service_secret_key(settings) == first
    assert (tmp_path / "service.nsec").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("encode", [lambda key: key, encode_nsec])
def test_service_nsec_is_read_as_nsec_or_hex(tmp_path, encode):
    secret = generate_secret_key()
    settings = load_settings({"DATA_DIR": str(tmp_path), "SERVICE_NSEC": encode(secret)})
    assert service_secret_key(settings) == secret
    assert not (tmp_path / "service.nsec").exists()


@pytest.mark.parametrize("value", ["nsec1invalid", "00" * 32, "npub1xyz", "zz" * 32])
def test_a_bad_service_key_names_the_variable(tmp_path, value):
    settings = load_settings({"DATA_DIR": str(tmp_path), "SERVICE_NSEC": value})
    with pytest.raises(SettingsError, match=r"^SERVICE_NSEC:"):
        service_secret_key(settings)


def test_the_csrf_key_is_derived_from_the_session_key_and_differs_from_it(tmp_path):
    settings = load_settings({"DATA_DIR": str(tmp_path), "JWT_SECRET": "s" * 40})
    other = load_settings({"DATA_DIR": str(tmp_path), "JWT_SECRET": "t" * 40})
    key = generate_secret_key()

    assert csrf_secret(settings, key) == csrf_secret(settings, key)
    assert csrf_secret(settings, key) not in (jwt_secret(settings, key), csrf_secret(other, key))
