"""Form exports to Sheets and Word: templates and export jobs."""
