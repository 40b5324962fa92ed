"""An archive's tokenizer run by the `tokenizers` library alone: the calls inference makes of transformers' fast
tokenizer, with the same results, without importing transformers (0.7 s of a one-sentence `infer`).

transformers' fast tokenizers are this same Rust tokenizer (tokenizer.json) plus Python bookkeeping; inference
asks them for sub-token ids with or without special tokens, of texts, text pairs or pre-split words, and which word
each sub-token came from. Nothing is ever truncated or padded here (transformers turns both off for such calls too).
Training keeps transformers' tokenizer (feature caches hash it, exports save it).
"""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import Tokenizer

HF_FILES = ("tokenizer.json", "tokenizer_config.json")


def _token(value) -> str | None:
    """tokenizer_config.json writes a special token as its text or as an AddedToken dict."""
    return value.get("content") if isinstance(value, dict) else value


class Encoded(dict):
    """{"input_ids": ids of each input} and, like transformers' BatchEncoding, the word of each sub-token."""

    def __init__(self, encodings, batched: bool):
        ids = [e.ids for e in encodings]
        super().__init__(input_ids=ids if batched else ids[0])
        self._encodings = encodings

    def word_ids(self, index: int = 0) -> list[int | None]:
        return self._encodings[index].word_ids


class RustTokenizer:
    is_fast = True

    def __init__(self, backend: Tokenizer, settings: dict):
        self.backend_tokenizer = backend
        self.backend_tokenizer.no_truncation()  # a saved tokenizer.json may carry either; inference wants neither
        self.backend_tokenizer.no_padding()
        self.pad_token_id = self._id(_token(settings.get("pad_token")))
        self.unk_token_id = self._id(_token(settings.get("unk_token")))

    @classmethod
    def open(cls, directory: Path) -> RustTokenizer | None:
        """A saved tokenizer directory's tokenizer, or None when this class cannot read it (not a fast tokenizer's,
        or its padding and unknown tokens not named): each file read once."""
        if not all((directory / name).is_file() for name in HF_FILES):
            return None
        settings = json.loads((directory / "tokenizer_config.json").read_text(encoding="utf-8"))
        if settings.get("pad_token") is None or settings.get("unk_token") is None:
            return None
        return cls(Tokenizer.from_file(str(directory / "tokenizer.json")), settings)

    def _id(self, token: str | None) -> int | None:
        return None if token is None else self.backend_tokenizer.token_to_id(token)

    def num_special_tokens_to_add(self, pair: bool = False) -> int:
        return self.backend_tokenizer.num_special_tokens_to_add(pair)

    def convert_ids_to_tokens(self, ids: list[int]) -> list[str | None]:
        return [self.backend_tokenizer.id_to_token(i) for i in ids]

    def __call__(
        self,
        text,
        text_pair=None,
        add_special_tokens: bool = True,
        is_split_into_words: bool = False,
        return_attention_mask: bool = False,
        return_token_type_ids: bool = False,
        verbose: bool = False,
    ) -> Encoded:
        """transformers' rules: a str (or, pre-split, a list of words) is one input, a list of them a batch;
        `text_pair` pairs each input with a second text. Only sub-token ids come back (inference builds its own
        attention masks); any other option of transformers' is refused by Python rather than ignored."""
        batched = isinstance(text, (list, tuple)) and (
            not is_split_into_words or bool(text) and isinstance(text[0], (list, tuple))
        )
        inputs = list(text) if batched else [text]
        if text_pair is not None:
            inputs = list(zip(inputs, text_pair if batched else [text_pair]))
        encodings = self.backend_tokenizer.encode_batch(
            inputs, add_special_tokens=add_special_tokens, is_pretokenized=is_split_into_words
        )
        return Encoded(encodings, batched)
