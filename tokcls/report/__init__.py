"""The one template of the HTML page evaluate writes, for every task (each task builds its page on it)."""
