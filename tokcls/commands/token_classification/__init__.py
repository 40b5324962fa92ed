"""The token_classification commands (NER, POS, chunking: a label per word), in the layout of TAO's."""
