"""The page a browser lands on at the hub's root, e.g. after connecting an account.

The OAuth callback sends the browser back here with the outcome in the query;
this page says what happened and where to go next.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Integration Hub</title>
<style>body{{font:16px system-ui,sans-serif;max-width:40rem;margin:4rem auto;
padding:0 1rem;color:#222}}p.outcome{{padding:.75rem 1rem;border-radius:6px;
background:{tint}}}</style></head>
<body><h1>Integration Hub</h1>{outcome}
<p>The API and its reference are at <a href="/docs">/docs</a>; health at
<a href="/api/v1/integrations/health">/api/v1/integrations/health</a>.</p>
</body></html>"""


@router.get("/", response_class=HTMLResponse)
async def home(
    connected: str | None = None,
    connection_id: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    if error is not None:
        outcome = f"Connecting failed: <code>{escape(error)}</code>. Start again."
        tint = "#fde8e8"
    elif connected is not None:
        outcome = (
            f"Your {escape(connected)} account is connected "
            f"(connection <code>{escape(connection_id or '')}</code>)."
        )
        tint = "#e6f4ea"
    else:
        outcome = "The hub is running."
        tint = "#eef2f7"
    page = _PAGE.format(outcome=f'<p class="outcome">{outcome}</p>', tint=tint)
    return HTMLResponse(page)
