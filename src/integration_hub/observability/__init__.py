"""Metrics, the audit log and health."""
