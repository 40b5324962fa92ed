"""The text task's head: on each window's first position ([CLS]), fully connected layers to one score per
class (or one value), and the decoder of the problem type.

Two layers with tanh between them (the default) are exactly the pooler and classifier of Hugging Face's
BERT- and MPNet-ForSequenceClassification, so such a model exports to a directory pipeline() loads.
"""

from __future__ import annotations

from torch import nn

from tokcls.tasks.layers import fc_stack
from tokcls.tasks.text.decoders import DECODERS


def _value(option):
    return getattr(option, "value", option)


class TextHead(nn.Module):
    """dropout -> [linear -> activation -> dropout] x (num_output_layers - 1) -> linear, on [CLS]."""

    def __init__(
        self,
        hidden_size: int,
        labels: list[str],
        outside: str | None = None,
        num_output_layers: int = 2,
        fc_dropout: float = 0.1,
        activation: str = "tanh",
        use_transformer_init: bool = True,
        problem_type: str = "single_label_classification",
        thresholds: list[float] | None = None,
    ):
        super().__init__()
        if num_output_layers < 1:
            raise ValueError(f"model.classifier_head.num_output_layers must be at least 1, got {num_output_layers}")
        problem_type = _value(problem_type)
        self.settings = {
            "num_output_layers": num_output_layers,
            "fc_dropout": fc_dropout,
            "activation": _value(activation),
            "use_transformer_init": use_transformer_init,
            "problem_type": problem_type,
        }
        outputs = 1 if problem_type == "regression" else len(labels)
        self.layers = fc_stack(
            hidden_size, outputs, num_output_layers, fc_dropout, _value(activation), use_transformer_init
        )
        self.decoder = DECODERS[problem_type](labels, thresholds)

    def forward(self, hidden_states, **inputs):  # inputs: none (the token and text heads read hidden states only)
        """Scores of each window's [CLS], repeated along the window (a view, no copy), so that the shared code
        reads them at the rows it keeps (`word_index` >= 0: position 0) as it reads a token head's."""
        scores = self.layers(hidden_states[:, :1])
        return scores.expand(-1, hidden_states.size(1), -1)

    def describe(self) -> dict:
        settings = dict(self.settings)
        if hasattr(self.decoder, "thresholds"):
            settings["thresholds"] = list(self.decoder.thresholds)
        return settings

    def extend_labels(self, labels, added, bias):
        raise ValueError("a text model's classes are fixed: fine-tune on data with the same label_ids.csv")
