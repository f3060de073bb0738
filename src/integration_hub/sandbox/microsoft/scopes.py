"""Delegated Graph permissions the emulated tenant knows, and what they allow."""

from __future__ import annotations

GRAPH_RESOURCE = "https://graph.microsoft.com/"
OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
GRAPH_SCOPES = frozenset(
    {
        "User.Read",
        "User.ReadWrite",
        "User.ReadBasic.All",
        "Files.Read",
        "Files.ReadWrite",
        "Files.Read.All",
        "Files.ReadWrite.All",
        "Sites.Read.All",
        "Sites.ReadWrite.All",
        ".default",
    }
)
_CANONICAL = {s.casefold(): s for s in GRAPH_SCOPES | OIDC_SCOPES}

FILE_READ = frozenset(
    {"Files.Read", "Files.ReadWrite", "Files.Read.All", "Files.ReadWrite.All"}
    | {"Sites.Read.All", "Sites.ReadWrite.All", ".default"}
)
FILE_WRITE = frozenset(
    {"Files.ReadWrite", "Files.ReadWrite.All", "Sites.ReadWrite.All", ".default"}
)
USER_READ = frozenset({"User.Read", "User.ReadWrite", "User.ReadBasic.All", ".default"})


def normalize(scope: str) -> str | None:
    """Canonical spelling of a scope, or None when the tenant has no such scope."""
    bare = scope[len(GRAPH_RESOURCE) :] if scope.startswith(GRAPH_RESOURCE) else scope
    return _CANONICAL.get(bare.casefold())


def parse(raw: str) -> tuple[tuple[str, ...], list[str]]:
    """Known scopes in request order, and the unknown ones."""
    known: list[str] = []
    unknown: list[str] = []
    for scope in raw.split():
        canonical = normalize(scope)
        if canonical is None:
            unknown.append(scope)
        elif canonical not in known:
            known.append(canonical)
    return tuple(known), unknown


def resource_scopes(scopes: tuple[str, ...]) -> tuple[str, ...]:
    """The Graph permissions in a grant, without the OpenID Connect ones."""
    return tuple(s for s in scopes if s not in OIDC_SCOPES)
