"""Connected provider accounts: OAuth flows, the token vault, connection records."""
