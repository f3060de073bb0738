"""structlog set-up: console output locally, JSON in production, secrets redacted.

Every log line passes :func:`redact_secrets`, so a token that reaches a log call by
mistake (a header dict, a provider response) is masked before it is written.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

REDACTED = "[redacted]"

# Keys whose values are secrets wherever they appear, nested or not.
_SECRET_KEY = re.compile(
    r"(authorization|token|secret|password|passwd|api[_-]?key|code_verifier|"
    r"cookie|client_assertion|^code$)",
    re.IGNORECASE,
)
# Values that look like credentials even under an innocent key.
_SECRET_VALUE = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_QUIET_LIBRARIES = ("aiosqlite", "asyncio", "httpx2", "httpcore2", "httpx", "httpcore")
_SAFE_KEYS = frozenset({"token_version", "token_type", "tokens_reencrypted"})


def _redact(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            key: REDACTED if _is_secret_key(key) else _redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(item) for item in value]
    if isinstance(value, str):
        return _SECRET_VALUE.sub(lambda m: f"{m.group(1)} {REDACTED}", value)
    return value


def _is_secret_key(key: object) -> bool:
    return (
        isinstance(key, str)
        and key not in _SAFE_KEYS
        and _SECRET_KEY.search(key) is not None
    )


def redact_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor masking token-like keys and credential-shaped values."""
    for key, value in list(event_dict.items()):
        if key == "event":
            event_dict[key] = _redact(value)
        elif _is_secret_key(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _redact(value)
    return event_dict


def configure_logging(*, fmt: str = "console", level: str = "info") -> None:
    """Route structlog and the standard library through one pipeline."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets,
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    numeric_level = logging.getLevelNamesMapping()[level.upper()]

    # The console renderer draws exceptions itself; JSON needs them as text.
    tail: list[structlog.types.Processor] = (
        [structlog.processors.format_exc_info, renderer]
        if fmt == "json"
        else [renderer]
    )
    structlog.configure(
        processors=[*shared, *tail],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )

    # Library loggers (uvicorn, sqlalchemy) go through the same redaction.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                renderer,
            ],
            foreign_pre_chain=shared,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric_level)
    # Chatty libraries: the hub logs its own upstream calls, with secrets masked.
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(numeric_level, logging.WARNING))
