"""Settings read from the environment and validated before anything connects."""

import ipaddress
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import msgspec

from domain.billing.plans import DEFAULT_PLANS, Plan, PlanCatalog
from domain.shared.errors import InvalidInput
from domain.wot.settings import DEFAULT_CACHE_TTL, DEFAULT_MAX_DEPTH, DEFAULT_REQUEST_DEADLINE

ENVIRONMENTS = ("development", "test", "production")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
MIN_JWT_SECRET_BYTES = 32
# A signing secret containing one of these, or made of few distinct characters, is a default that
# was never replaced.
PLACEHOLDER_WORDS = ("change", "secret", "default", "example", "password", "placeholder", "insecure")
MIN_SECRET_VARIETY = 10


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Each default is written here once; `load_settings` falls back to these for unset variables."""

    environment: str = "development"
    database_url: str | None = None
    redis_url: str | None = None
    relay_urls: tuple[str, ...] = ()
    public_url: str = "http://127.0.0.1:8000"
    default_domain: str = "localhost"
    jwt_secret: str | None = None
    service_nsec: str | None = None
    wot_seeds: tuple[str, ...] = ()
    wot_max_depth: int = DEFAULT_MAX_DEPTH
    wot_cache_ttl: int = DEFAULT_CACHE_TTL
    wot_request_deadline: float = DEFAULT_REQUEST_DEADLINE
    data_dir: Path = Path(".data")
    dns_nameservers: tuple[str, ...] = ()
    log_level: str = "INFO"
    log_format: str = "text"
    # Set by `nostr-id serve` for its workers: prometheus_client's multiprocess mode.
    prometheus_multiproc_dir: Path | None = None
    btcpay_url: str | None = None
    btcpay_api_key: str | None = None
    btcpay_store_id: str | None = None
    btcpay_webhook_secret: str | None = None
    lnbits_url: str | None = None
    lnbits_api_key: str | None = None
    stripe_api_key: str | None = None
    stripe_webhook_secret: str | None = None
    # Outside production only: the fake provider signs and delivers its webhooks with this secret.
    fake_webhook_secret: str | None = None
    billing_plans: tuple[Plan, ...] = DEFAULT_PLANS
    billing_grace_days: int = 7
    # Ports played by embedded services this process started or joined (for the start-up log).
    embedded: tuple[str, ...] = ()
    # Requests per minute: per account for keyed requests (until its plan's rate is known), per
    # client address without a key, and per client address on the sign-in endpoints.
    rate_limit_api_key: int = 600
    rate_limit_anonymous: int = 60
    rate_limit_sign_in: int = 10
    # Seconds between two flushes of the metered API key usage into PostgreSQL; a Redis restart
    # without persistence loses at most this long's usage (promise F2).
    usage_flush_interval: int = 2
    # After SIGTERM, `nostr-id serve` answers readiness 503 ("draining") and goes on serving this
    # many seconds, so the load balancer takes it out before it stops accepting (see bootstrap/drain.py).
    drain_seconds: float = 5.0
    # Proxies (load balancers) whose X-Forwarded-For / Forwarded headers name the client.
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    # Keys that seal NWC connection strings at rest: the first seals, every one opens (rotation).
    wallet_secret_keys: tuple[str, ...] = ()
    # Relays the sign-in page's NIP-46 remote signers talk over; unset, the service's own relays.
    nip46_relays: tuple[str, ...] = ()

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def nip46_relay_urls(self) -> tuple[str, ...]:
        """NIP46_RELAYS, else the service's websocket relays (the embedded relay under `make run`)."""
        if self.nip46_relays:
            return self.nip46_relays
        return tuple(url for url in self.relay_urls if url.startswith(("ws://", "wss://")))


def _text(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = _text(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}: {value} is outside {low}..{high}")
    return value


def _seconds(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = _text(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not a number of seconds") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}: {value:g} is outside {low:g}..{high:g}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _text(env, name) or default
    normalized = value.upper() if name == "LOG_LEVEL" else value.lower()
    if normalized not in choices:
        raise SettingsError(f"{name}: {value!r} is not one of {', '.join(choices)}")
    return normalized


def _url(name: str, value: str | None, schemes: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes or not (parts.netloc or parts.query):
        raise SettingsError(f"{name}: {value!r} is not a {' or '.join(schemes)} URL")
    return value


def _path(env: Mapping[str, str], name: str) -> Path | None:
    value = _text(env, name)
    return Path(value) if value is not None else None


def _addresses(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """IP addresses, each optionally with a port (`192.0.2.1:5353`, `[2001:db8::1]:5353`)."""
    values = _list(env, name)
    for value in values:
        address, port = value, "53"
        if value.startswith("["):
            address, _, port = value[1:].partition("]")
            port = port.removeprefix(":") or "53"
        elif value.count(":") == 1:
            address, port = value.split(":")
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise SettingsError(f"{name}: {value!r} is not an IP address") from None
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"{name}: {value!r} has no valid port")
    return values


def _networks(env: Mapping[str, str], name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """CIDRs (`10.0.0.0/8`, `2001:db8::/32`) or single addresses, comma-separated."""
    networks = []
    for value in _list(env, name):
        try:
            networks.append(ipaddress.ip_network(value))
        except ValueError:
            raise SettingsError(f"{name}: {value!r} is not an IP address or a CIDR network") from None
    return tuple(networks)


def _plans(env: Mapping[str, str], default: tuple[Plan, ...]) -> tuple[Plan, ...]:
    raw = _text(env, "BILLING_PLANS")
    if raw is None:
        return default
    try:
        plans = msgspec.json.decode(raw, type=tuple[Plan, ...])
        PlanCatalog(plans)
    except (msgspec.ValidationError, msgspec.DecodeError, InvalidInput) as error:
        raise SettingsError(f"BILLING_PLANS: {error}") from None
    return plans


def _check_signing_secret(secret: str) -> None:
    """Outside development the signing secret must look random: not a placeholder, not a key."""
    lowered = secret.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS) or len(set(secret)) < MIN_SECRET_VARIETY:
        raise SettingsError("JWT_SECRET: looks like a placeholder; use a random value (openssl rand -hex 32)")
    if secret.lstrip().startswith(("-----BEGIN", "{", "ssh-", "ecdsa-")):
        raise SettingsError("JWT_SECRET: looks like a public key or JWK; HS256 needs a random shared secret")


def load_settings(env: Mapping[str, str]) -> Settings:
    """Builds Settings from environment variables; raises SettingsError naming the bad variable.
    A variable left unset takes the default of its Settings field."""
    defaults = Settings()
    environment = _choice(env, "ENVIRONMENT", defaults.environment, ENVIRONMENTS)
    relay_urls = _list(env, "RELAY_URLS")
    if relay_urls != ("memory://",):
        for url in relay_urls:
            _url("RELAY_URLS", url, ("ws", "wss"))
    nip46_relays = _list(env, "NIP46_RELAYS")
    for url in nip46_relays:
        _url("NIP46_RELAYS", url, ("ws", "wss"))
    public_url = _url("PUBLIC_URL", _text(env, "PUBLIC_URL"), ("http", "https")) or defaults.public_url
    jwt_secret = _text(env, "JWT_SECRET")
    if jwt_secret is not None and len(jwt_secret.encode()) < MIN_JWT_SECRET_BYTES:
        raise SettingsError(f"JWT_SECRET: must be at least {MIN_JWT_SECRET_BYTES} bytes")
    if environment != "development" and jwt_secret is None:
        raise SettingsError("JWT_SECRET: required outside development")
    if environment != "development" and jwt_secret is not None:
        _check_signing_secret(jwt_secret)
    if environment != "development" and _text(env, "SERVICE_NSEC") is None:
        raise SettingsError("SERVICE_NSEC: required outside development")
    fake_webhook_secret = _text(env, "FAKE_WEBHOOK_SECRET")
    if fake_webhook_secret is not None and environment == "production":
        raise SettingsError("FAKE_WEBHOOK_SECRET: the fake payment provider is never used in production")
    return Settings(
        environment=environment,
        database_url=_url(
            "DATABASE_URL", _text(env, "DATABASE_URL"), ("postgresql", "postgres", "postgresql+psycopg")
        ),
        redis_url=_url("REDIS_URL", _text(env, "REDIS_URL"), ("redis", "rediss", "unix")),
        relay_urls=relay_urls,
        public_url=public_url.rstrip("/"),
        default_domain=(
            _text(env, "DEFAULT_DOMAIN") or urlsplit(public_url).hostname or defaults.default_domain
        ).lower(),
        jwt_secret=jwt_secret,
        service_nsec=_text(env, "SERVICE_NSEC"),
        wot_seeds=_list(env, "WOT_SEEDS"),
        wot_max_depth=_int(env, "WOT_MAX_DEPTH", defaults.wot_max_depth, 1, 6),
        wot_cache_ttl=_int(env, "WOT_CACHE_TTL", defaults.wot_cache_ttl, 1, 86_400),
        wot_request_deadline=_seconds(env, "WOT_REQUEST_DEADLINE", defaults.wot_request_deadline, 0.1, 60.0),
        data_dir=_path(env, "DATA_DIR") or defaults.data_dir,
        dns_nameservers=_addresses(env, "DNS_NAMESERVERS"),
        log_level=_choice(env, "LOG_LEVEL", defaults.log_level, LOG_LEVELS),
        log_format=_choice(env, "LOG_FORMAT", defaults.log_format, LOG_FORMATS),
        prometheus_multiproc_dir=_path(env, "PROMETHEUS_MULTIPROC_DIR"),
        btcpay_url=_url("BTCPAY_URL", _text(env, "BTCPAY_URL"), ("http", "https")),
        btcpay_api_key=_text(env, "BTCPAY_API_KEY"),
        btcpay_store_id=_text(env, "BTCPAY_STORE_ID"),
        btcpay_webhook_secret=_text(env, "BTCPAY_WEBHOOK_SECRET"),
        lnbits_url=_url("LNBITS_URL", _text(env, "LNBITS_URL"), ("http", "https")),
        lnbits_api_key=_text(env, "LNBITS_API_KEY"),
        stripe_api_key=_text(env, "STRIPE_API_KEY"),
        stripe_webhook_secret=_text(env, "STRIPE_WEBHOOK_SECRET"),
        fake_webhook_secret=fake_webhook_secret,
        billing_plans=_plans(env, defaults.billing_plans),
        billing_grace_days=_int(env, "BILLING_GRACE_DAYS", defaults.billing_grace_days, 0, 365),
        embedded=_list(env, "NOSTR_ID_EMBEDDED"),
        rate_limit_api_key=_int(env, "RATE_LIMIT_API_KEY", defaults.rate_limit_api_key, 1, 1_000_000),
        rate_limit_anonymous=_int(env, "RATE_LIMIT_ANONYMOUS", defaults.rate_limit_anonymous, 1, 1_000_000),
        rate_limit_sign_in=_int(env, "RATE_LIMIT_SIGN_IN", defaults.rate_limit_sign_in, 1, 1_000_000),
        usage_flush_interval=_int(env, "USAGE_FLUSH_INTERVAL", defaults.usage_flush_interval, 1, 3600),
        drain_seconds=_seconds(env, "DRAIN_SECONDS", defaults.drain_seconds, 0, 300),
        trusted_proxies=_networks(env, "TRUSTED_PROXIES"),
        wallet_secret_keys=_wallet_secret_keys(env),
        nip46_relays=nip46_relays,
    )


def _wallet_secret_keys(env: Mapping[str, str]) -> tuple[str, ...]:
    keys = _list(env, "WALLET_SECRET_KEYS")
    if any(len(key) < MIN_JWT_SECRET_BYTES for key in keys):
        raise SettingsError(
            f"WALLET_SECRET_KEYS: each key must be at least {MIN_JWT_SECRET_BYTES} characters"
        )
    return keys
