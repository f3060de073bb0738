"""Microsoft Graph: drive items, upload sessions, sharing."""
