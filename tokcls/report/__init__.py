"""The HTML page evaluate writes: what a model gets wrong, to look at."""
