"""Integration Hub: act in users' Google and Microsoft accounts, safely."""

__version__ = "0.1.0"
