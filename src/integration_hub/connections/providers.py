"""Where each provider's OAuth endpoints are and how the hub talks to them.

A provider without a configured client id uses the sandbox: the same flows, the
same code, against the emulators' base URLs and their built-in client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from integration_hub.config import Settings

ProviderName = Literal["google", "microsoft"]
PROVIDER_NAMES: tuple[ProviderName, ...] = ("google", "microsoft")

_SANDBOX_CLIENTS = {
    "google": ("sandbox-google-client", "sandbox-google-secret"),
    "microsoft": ("sandbox-microsoft-client", "sandbox-microsoft-secret"),
}
_REAL_HOSTS = {
    "google_accounts": "https://accounts.google.com",
    "google_oauth2": "https://oauth2.googleapis.com",
    "microsoft_login": "https://login.microsoftonline.com",
    "google_sheets": "https://sheets.googleapis.com",
    "google_www": "https://www.googleapis.com",
    "microsoft_graph": "https://graph.microsoft.com",
}
_SANDBOX_PREFIXES = {
    "google_accounts": "/sandbox/google/accounts",
    "google_oauth2": "/sandbox/google/oauth2",
    "microsoft_login": "/sandbox/microsoft/login",
    "google_sheets": "/sandbox/google/sheets",
    "google_www": "/sandbox/google/www",
    "microsoft_graph": "/sandbox/microsoft/graph",
}


@dataclass(frozen=True)
class ProviderConfig:
    name: ProviderName
    client_id: str
    client_secret: str = field(repr=False)
    authorize_url: str
    token_url: str
    revoke_url: str | None
    scopes: tuple[str, ...]
    redirect_uri: str
    extra_authorize_params: dict[str, str]
    sandboxed: bool
    api_bases: dict[str, str]
    # Microsoft's v2.0 endpoint wants the scopes again on refresh; Google's
    # refresh takes none (the grant already fixes them).
    scope_on_refresh: bool = False


def provider_config(settings: Settings, name: ProviderName) -> ProviderConfig:
    client_id, secret = _credentials(settings, name)
    sandboxed = client_id is None
    if client_id is None:
        client_id, secret = _SANDBOX_CLIENTS[name]
    hosts = (
        {k: settings.sandbox_base + v for k, v in _SANDBOX_PREFIXES.items()}
        if sandboxed
        else dict(_REAL_HOSTS)
    )
    redirect_uri = f"{settings.public_url}/api/v1/integrations/{name}/callback"

    if name == "google":
        return ProviderConfig(
            name=name,
            client_id=client_id,
            client_secret=secret or "",
            authorize_url=hosts["google_accounts"] + "/o/oauth2/v2/auth",
            token_url=hosts["google_oauth2"] + "/token",
            revoke_url=hosts["google_oauth2"] + "/revoke",
            scopes=tuple(settings.google_scopes.split()),
            redirect_uri=redirect_uri,
            # Offline access for a refresh token; include_granted_scopes keeps
            # earlier grants when the user reconnects with fewer scopes.
            extra_authorize_params={
                "access_type": "offline",
                "include_granted_scopes": "true",
            },
            sandboxed=sandboxed,
            api_bases={
                "sheets": hosts["google_sheets"],
                "drive": hosts["google_www"] + "/drive/v3",
            },
        )

    tenant_base = f"{hosts['microsoft_login']}/{settings.microsoft_tenant}"
    return ProviderConfig(
        name=name,
        client_id=client_id,
        client_secret=secret or "",
        authorize_url=tenant_base + "/oauth2/v2.0/authorize",
        token_url=tenant_base + "/oauth2/v2.0/token",
        # The identity platform has no token revocation endpoint.
        revoke_url=None,
        scopes=tuple(settings.microsoft_scopes.split()),
        redirect_uri=redirect_uri,
        extra_authorize_params={"response_mode": "query"},
        sandboxed=sandboxed,
        api_bases={"graph": hosts["microsoft_graph"] + "/v1.0"},
        scope_on_refresh=True,
    )


def _credentials(
    settings: Settings, name: ProviderName
) -> tuple[str | None, str | None]:
    if name == "google":
        client_id, secret = settings.google_client_id, settings.google_client_secret
    else:
        client_id, secret = (
            settings.microsoft_client_id,
            settings.microsoft_client_secret,
        )
    return client_id, None if secret is None else secret.get_secret_value()
