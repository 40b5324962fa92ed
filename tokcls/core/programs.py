"""The two programs' names: the console scripts, the tasks they run, and the keys of the command registries."""

TOKEN, TEXT = "token_classification", "text_classification"
