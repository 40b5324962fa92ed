"""report.html of a token model: its page, the error kinds of its entities, and where the errors are."""
