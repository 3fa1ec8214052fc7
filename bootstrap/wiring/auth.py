"""Authentication wiring: sign-in (NIP-98, challenge, LNURL-auth), sessions, accounts and wallets."""

from dependency_injector import containers, providers

from adapters.tokens.jwt_tokens import JwtAccessTokens
from application.auth.admin_users import ChangeRole
from application.auth.auth_verdicts import AuthVerdicts
from application.auth.authenticate import Authenticate
from application.auth.cleanup import DeleteExpiredSignIns
from application.auth.lnurl import PollLnurlAuth, RedeemLnurlAuth, StartLnurlAuth
from application.auth.me import GetMe
from application.auth.own_sessions import (
    ListSessions,
    RefreshSession,
    RevokeSession,
    SignOut,
    SignOutEverywhere,
)
from application.auth.sign_in import IssueChallenge, Login
from application.auth.wallets import ListWallets, UnlinkWallet
from bootstrap.keys import jwt_secret
from bootstrap.settings import Settings


class AuthContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    service_key = providers.Dependency()
    cache = providers.Dependency()
    clock = providers.Dependency()
    unit_of_work = providers.Dependency()
    verdicts = providers.Dependency()
    public_url = providers.Dependency()
    api_key_verifier = providers.Dependency()

    # The session, account and pubkey verdicts: a Singleton, so each process keeps its answers.
    auth_verdicts = providers.Singleton(AuthVerdicts, verdicts, unit_of_work.provider, clock)
    access_tokens = providers.Singleton(
        JwtAccessTokens, providers.Callable(jwt_secret, settings, service_key), issuer=public_url
    )
    authenticate = providers.Singleton(
        Authenticate,
        tokens=access_tokens,
        api_keys=api_key_verifier,
        verdicts=auth_verdicts,
        cache=cache,
        unit_of_work=unit_of_work.provider,
        clock=clock,
    )
    issue_challenge = providers.Factory(IssueChallenge, unit_of_work.provider, clock)
    login = providers.Factory(
        Login,
        unit_of_work=unit_of_work.provider,
        tokens=access_tokens,
        verdicts=auth_verdicts,
        clock=clock,
        public_url=public_url,
    )
    get_me = providers.Factory(GetMe, unit_of_work.provider)
    refresh_session = providers.Factory(
        RefreshSession, unit_of_work.provider, access_tokens, auth_verdicts, clock
    )
    sign_out = providers.Factory(SignOut, unit_of_work.provider, auth_verdicts, clock)
    sign_out_everywhere = providers.Factory(SignOutEverywhere, unit_of_work.provider, auth_verdicts, clock)
    revoke_session = providers.Factory(RevokeSession, unit_of_work.provider, auth_verdicts, clock)
    list_sessions = providers.Factory(ListSessions, unit_of_work.provider, clock)
    change_role = providers.Factory(ChangeRole, unit_of_work.provider, auth_verdicts, clock)
    delete_expired_sign_ins = providers.Factory(DeleteExpiredSignIns, unit_of_work.provider, clock)

    # LNURL-auth (LUD-04): the k1 store is PostgreSQL.
    start_lnurl_auth = providers.Factory(StartLnurlAuth, unit_of_work.provider, clock, public_url)
    redeem_lnurl_auth = providers.Factory(RedeemLnurlAuth, unit_of_work.provider, clock)
    poll_lnurl_auth = providers.Factory(PollLnurlAuth, unit_of_work.provider, access_tokens, clock)
    list_wallets = providers.Factory(ListWallets, unit_of_work.provider)
    unlink_wallet = providers.Factory(UnlinkWallet, unit_of_work.provider, clock)
