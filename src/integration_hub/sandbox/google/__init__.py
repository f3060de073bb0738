"""Emulators of Google's OAuth 2.0, Sheets v4 and Drive v3 endpoints."""

from integration_hub.sandbox.google.emulator import GoogleEmulator

__all__ = ["GoogleEmulator"]
