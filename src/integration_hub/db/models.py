"""Every table, imported in one place so that metadata and migrations see them."""

from integration_hub.accounts.models import ApiToken, HubUser
from integration_hub.connections.models import Connection, OAuthState
from integration_hub.db.base import Base
from integration_hub.exports.models import ExportJob, Template
from integration_hub.microsoft.models import Document
from integration_hub.observability.models import (
    AuditChainHead,
    AuditLogEntry,
    IntegrationMetric,
)

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditLogEntry",
    "Base",
    "Connection",
    "Document",
    "ExportJob",
    "HubUser",
    "IntegrationMetric",
    "OAuthState",
    "Template",
]
