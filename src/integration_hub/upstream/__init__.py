"""The shared provider HTTP client: timeouts, retries, rate limits, metrics."""
