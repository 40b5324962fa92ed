"""The text_classification commands: the same flags and spec style as token_classification, on the text task."""
