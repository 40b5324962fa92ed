"""token_classification's specs: the token task's schemas with the keys that pick and shape its second task, span
NER (model.task and model.span, tokcls/tasks/span/sections.py). One program, one spec layout for both tasks."""

from __future__ import annotations

from dataclasses import dataclass, field

from tokcls.config.sections import _help
from tokcls.config.serve import ServeConfig
from tokcls.tasks.span.sections import TASK_HELP, InferenceSpanConfig, SpanConfig, TaskName
from tokcls.tasks.token.sections import ModelConfig
from tokcls.tasks.token.specs import EvaluateConfig, InferConfig, InferenceModelConfig, TrainConfig, TuneConfig


@dataclass
class ProgramModelConfig(ModelConfig):
    task: TaskName = field(default=TaskName.token_classification, metadata=_help(TASK_HELP))
    span: SpanConfig = field(
        default_factory=SpanConfig, metadata=_help("The span task (model.task=span_classification).")
    )


@dataclass
class ProgramInferenceModelConfig(InferenceModelConfig):
    span: InferenceSpanConfig = field(
        default_factory=InferenceSpanConfig, metadata=_help("How a span archive decodes (model.span of train).")
    )


def _model(kind, text: str):
    return field(default_factory=kind, metadata=_help(text))


@dataclass
class ProgramTrainConfig(TrainConfig):
    """token_classification train -e specs/train.yaml -r RESULTS data_dir=DATA [key=value ...]"""

    model: ProgramModelConfig = _model(ProgramModelConfig, "Model.")


@dataclass
class ProgramTuneConfig(TuneConfig):
    """token_classification tune -e specs/tune.yaml -r RESULTS data_dir=DATA"""

    model: ProgramModelConfig = _model(ProgramModelConfig, "Model.")


@dataclass
class ProgramEvaluateConfig(EvaluateConfig):
    """token_classification evaluate -e specs/evaluate.yaml -r RESULTS -m MODEL.tcls data_dir=DATA"""

    model: ProgramInferenceModelConfig = _model(
        ProgramInferenceModelConfig, "Decoder (model.head, model.span) and window settings (model.dataset)."
    )


@dataclass
class ProgramInferConfig(InferConfig):
    """token_classification infer -e specs/infer.yaml -r RESULTS -m MODEL.tcls [input_file=TEXT]"""

    model: ProgramInferenceModelConfig = _model(
        ProgramInferenceModelConfig, "Decoder (model.head, model.span) and window settings (model.dataset)."
    )


@dataclass
class ProgramServeConfig(ServeConfig):
    """token_classification serve -m MODEL.tcls [-k KEY] [-e specs/serve.yaml] [server.port=8000]"""

    model: ProgramInferenceModelConfig = _model(
        ProgramInferenceModelConfig, "Decoder (model.head, model.span) and window settings (model.dataset)."
    )
