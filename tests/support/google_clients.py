"""Real Google clients pointed at the sandbox by base URL only."""

from __future__ import annotations

from typing import Any

import gspread
from google.auth.transport.requests import AuthorizedSession
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import (  # type: ignore[import-untyped, unused-ignore]
    Resource,
    build,
)

REAL_BASES = {
    "https://sheets.googleapis.com": "/sandbox/google/sheets",
    "https://www.googleapis.com": "/sandbox/google/www",
    "https://oauth2.googleapis.com": "/sandbox/google/oauth2",
}


def credentials(token: str) -> Credentials:
    """Plain user credentials holding an access token (google-auth is untyped)."""
    made: Credentials = Credentials(token)  # type: ignore[no-untyped-call]
    return made


class SandboxSession(AuthorizedSession):
    """gspread's own session, with Google's hosts swapped for the sandbox's."""

    def __init__(self, token: str, base_url: str) -> None:
        super().__init__(credentials(token))  # type: ignore[no-untyped-call]
        self.base_url = base_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        for real, prefix in REAL_BASES.items():
            if url.startswith(real):
                url = self.base_url + prefix + url[len(real) :]
        return super().request(method, url, *args, **kwargs)  # type: ignore[no-untyped-call]


def gspread_client(base_url: str, token: str) -> gspread.Client:
    return gspread.Client(auth=None, session=SandboxSession(token, base_url))  # type: ignore[arg-type]


def sheets_service(base_url: str, token: str) -> Resource:
    return build(
        "sheets",
        "v4",
        credentials=credentials(token),
        static_discovery=True,
        client_options={"api_endpoint": base_url + "/sandbox/google/sheets/"},
    )


def drive_service(base_url: str, token: str) -> Resource:
    return build(
        "drive",
        "v3",
        credentials=credentials(token),
        static_discovery=True,
        client_options={"api_endpoint": base_url + "/sandbox/google/www/drive/v3/"},
    )
