"""The two console scripts' names, for the command line's wiring (cli.py, commands/): which program offers which task
is the task registry's (tokcls/tasks/__init__.py)."""

TOKEN, TEXT = "token_classification", "text_classification"
