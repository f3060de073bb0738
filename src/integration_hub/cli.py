"""The ``integration-hub`` command line."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
from collections.abc import Callable, Coroutine
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from integration_hub.config import Settings, load_settings, parse_keys
from integration_hub.errors import ConfigurationError, HubError

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    help="Integration Hub: act in users' Google and Microsoft accounts, safely.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
users_app = typer.Typer(help="Hub users and their API tokens.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys for stored secrets.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")

err = Console(stderr=True, soft_wrap=True)
DEMO_USER = "demo"


def clear_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn expected failures into one line on stderr and a non-zero exit."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except HubError as exc:
            typer.echo(f"integration-hub: {exc.detail}", err=True)
            raise typer.Exit(2 if exc.code == "configuration_error" else 1) from None

    return wrapper


def _run(coroutine: Coroutine[Any, Any, R]) -> R:
    return asyncio.run(coroutine)


@app.command()
@clear_errors
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the API (and the sandbox when enabled)."""
    import uvicorn

    from integration_hub.app import create_app
    from integration_hub.preflight import preflight

    settings = load_settings()
    _run(preflight(settings))
    uvicorn.run(
        create_app(settings), host=host, port=port, log_config=None, access_log=False
    )


@app.command()
@clear_errors
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    downgrade: Annotated[
        bool, typer.Option("--downgrade", help="Go down to REVISION instead.")
    ] = False,
) -> None:
    """Bring the database schema to a revision (the newest by default)."""
    from integration_hub.db import migrate as migrations

    settings = load_settings()
    _ensure_sqlite_folder(settings)
    if downgrade:
        migrations.downgrade(settings.async_database_url, revision)
    else:
        migrations.upgrade(settings.async_database_url, revision)
    err.print(f"database at revision {revision}", highlight=False)


@users_app.command("create")
@clear_errors
def users_create(
    name: Annotated[str, typer.Argument(help="A unique name for the user.")],
    admin: Annotated[
        bool, typer.Option("--admin", help="May see everyone's data.")
    ] = False,
) -> None:
    """Create a hub user; its API token is the last line printed."""
    from integration_hub.accounts import cli as accounts

    token = _run(accounts.create_user(load_settings(), name, is_admin=admin))
    err.print(f"created user {name!r}{' (admin)' if admin else ''}; API token:")
    print(token)


@users_app.command("token")
@clear_errors
def users_token(name: Annotated[str, typer.Argument(help="The user's name.")]) -> None:
    """Issue another API token for a user; printed as the last line."""
    from integration_hub.accounts import cli as accounts

    print(_run(accounts.issue_token(load_settings(), name)))


@users_app.command("list")
@clear_errors
def users_list() -> None:
    """List hub users and their live tokens (by prefix)."""
    from integration_hub.accounts import cli as accounts

    table = Table("name", "admin", "live tokens")
    for name, is_admin, prefixes in _run(accounts.list_users(load_settings())):
        table.add_row(name, "yes" if is_admin else "", " ".join(prefixes))
    Console().print(table)


@users_app.command("revoke")
@clear_errors
def users_revoke(
    token: Annotated[
        str | None, typer.Argument(help="A token, or the prefix 'users list' shows.")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Revoke all of this user's tokens.")
    ] = None,
) -> None:
    """Revoke one API token, or every token of a user."""
    from integration_hub.accounts import cli as accounts

    if (token is None) == (user is None):
        raise typer.BadParameter("give either a TOKEN or --user NAME")
    count = _run(accounts.revoke(load_settings(), token=token, user=user))
    err.print(f"revoked {count} token(s)")
    if count == 0:
        raise typer.Exit(1)


@keys_app.command("generate")
@clear_errors
def keys_generate(
    if_missing: Annotated[
        bool, typer.Option("--if-missing", help="Keep an existing key file.")
    ] = False,
    stdout: Annotated[
        bool, typer.Option("--stdout", help="Print a key instead of writing var/.")
    ] = False,
) -> None:
    """Generate an AES-256 key into var/encryption.keys (or print it)."""
    entry = new_key_entry()
    if stdout:
        print(entry)
        return

    settings = Settings()
    path = settings.keys_file
    if path.exists():
        if if_missing:
            return
        raise HubError(f"{path} exists; use 'keys rotate' to add a key")
    _write_private(path, entry + "\n")
    err.print(f"wrote a new encryption key to {path}")


@keys_app.command("rotate")
@clear_errors
def keys_rotate() -> None:
    """Add a new active key to var/encryption.keys and re-encrypt every secret.

    Running hubs pick the new key up from the file within a second and keep
    serving; every secret sealed with an older key is resealed in batches.
    """
    settings = Settings()
    if settings.encryption_keys is not None:
        raise ConfigurationError(
            "keys come from HUB_ENCRYPTION_KEYS: put a new key "
            "('integration-hub keys generate --stdout') first in it, restart the "
            "hubs, then run 'integration-hub keys reencrypt'"
        )
    keys_file = settings.keys_file
    if not keys_file.exists():
        raise ConfigurationError(f"{keys_file} does not exist: run 'keys generate'")

    entry = new_key_entry()
    _write_private(keys_file, entry + "\n" + keys_file.read_text())
    err.print(f"new active key {entry.split(':')[0]} written to {keys_file}")
    _reencrypt(load_settings())


@keys_app.command("reencrypt")
@clear_errors
def keys_reencrypt() -> None:
    """Re-encrypt every stored secret with the active (first) key."""
    _reencrypt(load_settings())


def _reencrypt(settings: Settings) -> None:
    from integration_hub.connections.rotation import reencrypt_all
    from integration_hub.context import HubContext

    async def run() -> None:
        context = await HubContext.open(settings)
        try:
            report = await reencrypt_all(
                context.sessions, context.connections.vault, context.redis
            )
        finally:
            await context.close()
        err.print(
            f"resealed {report.resealed} secret(s) in {report.passes} pass(es) with "
            f"key {context.connections.vault.active.key_id}"
        )
        if report.left_behind:
            raise HubError(
                f"{report.left_behind} row(s) kept changing; run 'keys reencrypt' again"
            )

    _run(run())


@audit_app.command("verify")
@clear_errors
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 1 listing every problem found."""
    from integration_hub.observability import cli as observability

    report = _run(observability.verify_audit(load_settings()))
    if report.ok:
        print(f"audit log intact: {report.checked} entries verified")
        return
    for problem in report.problems:
        print(problem)
    print(
        f"audit log damaged: {len(report.problems)} problem(s) "
        f"in {report.checked} entries"
    )
    raise typer.Exit(1)


@app.command()
@clear_errors
def bootstrap() -> None:
    """Prepare a local hub: keys, schema and a demo user (used by 'make run')."""
    from integration_hub.accounts import cli as accounts
    from integration_hub.db import migrate as migrations

    settings = Settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    if settings.encryption_keys is None and not settings.keys_file.exists():
        _write_private(settings.keys_file, new_key_entry() + "\n")
    settings = load_settings()
    _ensure_sqlite_folder(settings)
    migrations.upgrade(settings.async_database_url)

    token_file = settings.var_dir / "demo-token"
    if not token_file.exists():
        token = _run(accounts.create_user(settings, DEMO_USER, is_admin=True))
        _write_private(token_file, token + "\n")


@app.command()
@clear_errors
def sandbox(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8001,
) -> None:
    """Serve the Google and Microsoft emulators alone."""
    import uvicorn

    from integration_hub.sandbox import create_sandbox_app
    from integration_hub.sandbox.base import SandboxConfig

    settings = Settings()
    config = SandboxConfig(data_dir=settings.var_dir / "sandbox")
    uvicorn.run(create_sandbox_app(config), host=host, port=port, log_level="warning")


def new_key_entry() -> str:
    key_id = "k" + secrets.token_hex(4)
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    entry = f"{key_id}:{secret}"
    parse_keys(entry, source="generated key")
    return entry


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def _ensure_sqlite_folder(settings: Settings) -> None:
    if settings.is_sqlite:
        database = settings.async_database_url.partition(":///")[2]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)


def main() -> None:
    app(prog_name="integration-hub")


if __name__ == "__main__":
    main()
