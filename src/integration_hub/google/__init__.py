"""Google Sheets and Drive operations."""
