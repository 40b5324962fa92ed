"""Token classification (NER, POS, chunking): one label per word."""
