"""infer: texts (input_batch or a file, one a line; pairs text<TAB>text_b) -> NeMo's Query/Result lines and JSON Lines."""

from __future__ import annotations

import json

from tokcls.commands.base import Command
from tokcls.commands.shared.infer import check_input, printable, run_in_workers, stream_records
from tokcls.tasks.text.specs import TextInferConfig

COMMAND = Command(
    "infer",
    "classify texts (input_batch or input_file) with a model archive; writes JSON Lines",
    TextInferConfig,
    ("-e", "-r", "-m", "-k", "-g"),
    requires_results=True,
    requires_model=True,
)


def run(config, ctx):
    from tokcls.inference.runtime import load_for_inference
    from tokcls.tasks.text.records import classify

    if run_in_workers(run, config, ctx):  # -g N > 1: N processes over the shards, each with its model
        return None
    check_input(config)
    predictor = load_for_inference(ctx, config, config.batch_size)
    printed = []

    def write_chunk(chunk: list[str], sink) -> None:
        for text, (line, shown) in zip(chunk, classify(predictor, chunk, progress=config.input_file is not None)):
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
            if len(printed) < config.max_printed:
                print(f"Query : {printable(text)}\nResult: {shown}")
                printed.append(text)

    return stream_records(config, ctx, write_chunk, "Classified")
