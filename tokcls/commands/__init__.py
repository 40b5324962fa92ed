"""One thin module per command: each reads top to bottom as the recipe it runs."""
