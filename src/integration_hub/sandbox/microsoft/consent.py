"""Pages the emulated sign-in shows: consent, errors, and redirects back."""

from __future__ import annotations

import html
from urllib.parse import urlencode

from starlette.responses import HTMLResponse, RedirectResponse, Response

from .errors import AadError, aad_error_body

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
<h1>{title}</h1>
{body}
</body></html>
"""


def consent_page(
    action: str, request_id: str, account: str, client_id: str, scopes: list[str]
) -> Response:
    items = "".join(f"<li>{html.escape(s)}</li>" for s in scopes)
    body = (
        f"<p>Signed in as <strong id='account'>{html.escape(account)}</strong>.</p>"
        f"<p>The application <code>{html.escape(client_id)}</code> asks to:</p>"
        f"<ul id='scopes'>{items}</ul>"
        f"<form method='post' action='{html.escape(action)}'>"
        f"<input type='hidden' name='request_id' value='{html.escape(request_id)}'>"
        "<button type='submit' name='decision' value='allow'>Accept</button>"
        "<button type='submit' name='decision' value='deny'>Cancel</button>"
        "</form>"
    )
    page = _PAGE.format(title="Permissions requested", body=body)
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


def error_page(error: AadError) -> Response:
    """Shown instead of a redirect when the redirect target cannot be trusted."""
    details = aad_error_body(error)
    body = (
        "<p>Sorry, but we're having trouble signing you in.</p>"
        f"<pre id='error'>{html.escape(details['error_description'])}</pre>"
    )
    page = _PAGE.format(title="Sign in error", body=body)
    return HTMLResponse(page, status_code=error.status)


def redirect_back(
    redirect_uri: str, response_mode: str, params: dict[str, str]
) -> Response:
    """Return the user to the client as ``response_mode`` asks."""
    if response_mode == "form_post":
        return _form_post(redirect_uri, params)
    separator = "#" if response_mode == "fragment" else "?"
    if separator == "?" and "?" in redirect_uri:
        separator = "&"
    return RedirectResponse(f"{redirect_uri}{separator}{urlencode(params)}", 302)


def redirect_error(
    redirect_uri: str, response_mode: str, error: AadError, state: str | None
) -> Response:
    description = aad_error_body(error)["error_description"]
    params = {"error": error.error, "error_description": description}
    if state is not None:
        params["state"] = state
    return redirect_back(redirect_uri, response_mode, params)


def _form_post(redirect_uri: str, params: dict[str, str]) -> Response:
    fields = "".join(
        f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
        for k, v in params.items()
    )
    body = (
        f"<form method='post' action='{html.escape(redirect_uri)}'>{fields}"
        "<noscript><button type='submit'>Continue</button></noscript></form>"
        "<script>document.forms[0].submit()</script>"
    )
    return HTMLResponse(_PAGE.format(title="Working...", body=body))
