"""Who is using the app, and whether this deployment may serve anyone at all.

- Local default: bound to a loopback address with no authentication configured, everything belongs to
  one local user ("local"), as a single candidate on a laptop expects.
- Hosted: Streamlit's own OIDC login (`st.login` / `st.user`, configured under `[auth]` in
  `.streamlit/secrets.toml`), or a trusted header (e.g. `X-Forwarded-Email`) set by an auth proxy and
  accepted only from the configured proxy addresses.
- A server on any other address with neither configured refuses to serve, unless the operator says
  `INTERVIEW_ALLOW_ANONYMOUS=1` (each browser session is then its own anonymous user).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

LOCAL_USER = "local"
HOW_TO = (
    "configure Streamlit's OIDC login ([auth] in .streamlit/secrets.toml), or a trusted header from your auth proxy "
    "(INTERVIEW_TRUSTED_USER_HEADER=X-Forwarded-Email and INTERVIEW_TRUSTED_PROXIES=<the proxy's address>), "
    "or set INTERVIEW_ALLOW_ANONYMOUS=1 to let anyone in as an anonymous user. See the README, 'Hosting for a cohort'."
)


class AuthRequired(Exception):
    """No user can be established for this request; the message says what to configure or do."""


@dataclass(frozen=True)
class Identity:
    user: str
    source: Literal["local", "oidc", "header", "anonymous", "cli"]
    is_admin: bool = False


def is_loopback(host: str | None) -> bool:
    if not host or host == "localhost":
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _from_trusted_proxy(client_ip: str | None, proxies: list[str]) -> bool:
    if not client_ip:
        return False
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(p, strict=False) for p in proxies)


def _clean(user: str) -> str:
    """A user name as stored: trimmed, lower-cased, only printable characters, bounded."""
    return re.sub(r"[^\x21-\x7e]", "", user).strip().lower()[:128]


def startup_problem(settings: Any, bind_address: str | None, oidc_configured: bool) -> str | None:
    """Why this deployment must not serve (None when it may)."""
    if is_loopback(bind_address) or oidc_configured or settings.trusted_user_header or settings.allow_anonymous:
        if settings.trusted_user_header and not settings.trusted_proxies:
            return "INTERVIEW_TRUSTED_USER_HEADER is set but INTERVIEW_TRUSTED_PROXIES is empty: " + HOW_TO
        return None
    return f"This app listens on {bind_address or 'every address'} with no authentication: " + HOW_TO


def resolve_identity(
    settings: Any,
    *,
    bind_address: str | None,
    user_info: Mapping[str, Any] | None = None,
    oidc_configured: bool = False,
    headers: Mapping[str, str] | None = None,
    client_ip: str | None = None,
    anonymous_id: str | None = None,
) -> Identity:
    """The user of one browser session, or AuthRequired with what to do."""
    admins = {_clean(a) for a in settings.admin_users}

    def who(user: str, source: Literal["oidc", "header", "anonymous", "local"]) -> Identity:
        return Identity(user, source, is_admin=user in admins)

    if oidc_configured:
        if user_info and user_info.get("is_logged_in"):
            user = _clean(str(user_info.get("email") or user_info.get("sub") or ""))
            if user:
                return who(user, "oidc")
        if not settings.trusted_user_header:
            raise AuthRequired("Please log in to practise.")
    if settings.trusted_user_header:
        value = (headers or {}).get(settings.trusted_user_header) or ""
        if value and _from_trusted_proxy(client_ip, settings.trusted_proxies) and _clean(value):
            return who(_clean(value), "header")
        raise AuthRequired(
            "No trusted user header on this request: open the app through the organisation's login proxy."
        )
    if is_loopback(bind_address):
        return who(LOCAL_USER, "local")
    if settings.allow_anonymous and anonymous_id:
        return who(f"anonymous-{anonymous_id}", "anonymous")
    raise AuthRequired(startup_problem(settings, bind_address, oidc_configured) or HOW_TO)
