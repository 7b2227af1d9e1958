"""Who the user is: local by default on loopback, OIDC or a trusted proxy header when hosted, refusal otherwise."""

from __future__ import annotations

import pytest

from interviewer.config import Settings
from interviewer.storage.identity import AuthRequired, is_loopback, resolve_identity, startup_problem

HEADER = "X-Forwarded-Email"


def settings(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("[::1]") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("") and not is_loopback(None)
    assert not is_loopback("10.1.2.3") and not is_loopback("example.org")


def test_local_default_is_one_user() -> None:
    who = resolve_identity(settings(), bind_address="127.0.0.1")
    assert who.user == "local" and who.source == "local" and not who.is_admin
    assert startup_problem(settings(), "127.0.0.1", oidc_configured=False) is None


def test_a_public_address_with_no_auth_refuses_to_start_and_says_how() -> None:
    problem = startup_problem(settings(), "0.0.0.0", oidc_configured=False)
    assert problem and "INTERVIEW_TRUSTED_USER_HEADER" in problem and "INTERVIEW_ALLOW_ANONYMOUS" in problem
    with pytest.raises(AuthRequired):
        resolve_identity(settings(), bind_address="0.0.0.0")
    assert startup_problem(settings(allow_anonymous=True), "0.0.0.0", oidc_configured=False) is None
    anon = resolve_identity(settings(allow_anonymous=True), bind_address="0.0.0.0", anonymous_id="abc")
    assert anon.user == "anonymous-abc" and anon.source == "anonymous"
    assert startup_problem(settings(), "0.0.0.0", oidc_configured=True) is None


def test_trusted_header_only_from_trusted_proxies() -> None:
    s = settings(trusted_user_header=HEADER, trusted_proxies=["10.0.0.0/8"], admin_users=["Admin@Example.org"])
    ok = resolve_identity(s, bind_address="0.0.0.0", headers={HEADER: "Alice@Example.org"}, client_ip="10.2.3.4")
    assert ok.user == "alice@example.org" and ok.source == "header"
    with pytest.raises(AuthRequired):  # the same header straight from a browser elsewhere is not believed
        resolve_identity(s, bind_address="0.0.0.0", headers={HEADER: "alice@example.org"}, client_ip="192.0.2.7")
    with pytest.raises(AuthRequired):  # through the proxy but with no user: not "local", refused
        resolve_identity(s, bind_address="127.0.0.1", headers={}, client_ip="10.2.3.4")
    admin = resolve_identity(s, bind_address="0.0.0.0", headers={HEADER: "admin@example.org"}, client_ip="10.9.9.9")
    assert admin.is_admin
    assert "TRUSTED_PROXIES" in (startup_problem(settings(trusted_user_header=HEADER), "0.0.0.0", False) or "")


def test_oidc_user_from_st_user() -> None:
    who = resolve_identity(
        settings(),
        bind_address="0.0.0.0",
        oidc_configured=True,
        user_info={"is_logged_in": True, "email": "Bob@Example.org", "sub": "123"},
    )
    assert who.user == "bob@example.org" and who.source == "oidc"
    with pytest.raises(AuthRequired, match="log in"):
        resolve_identity(settings(), bind_address="0.0.0.0", oidc_configured=True, user_info={"is_logged_in": False})
