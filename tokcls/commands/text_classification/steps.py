"""The steps text train and fine-tune share around Trainer.fit: the tokenizer, the multi-label thresholds tuned on the
validation split, the test split and TAO's infer_samples."""

from __future__ import annotations

import logging

log = logging.getLogger("tokcls")


def text_tokenizer(model_cfg):
    """The encoder's tokenizer; TAO's model.dataset.do_lower_case, when set, is model.tokenizer.lowercase."""
    from tokcls.model.encoder import load_tokenizer

    lower = model_cfg.dataset.get("do_lower_case")
    if lower is not None:
        model_cfg.tokenizer.lowercase = lower
    return load_tokenizer(model_cfg)


def check_monitor_logged(config, labels: list[str]) -> None:
    """val_f1 (the positive class's binary F1) is logged for two classes only: refuse it for more, before training."""
    from tokcls.core.errors import InputError

    monitor = config.exp_manager.checkpoint_callback_params.monitor
    if monitor == "val_f1" and len(labels) != 2:
        raise InputError(
            f"exp_manager.checkpoint_callback_params.monitor=val_f1 is the positive class's F1 of a binary task, "
            f"and this data has {len(labels)} classes",
            "monitor val_macro_f1 or val_micro_f1 instead",
        )


def tune_thresholds_on(network, predictor, examples) -> None:
    """Per-label thresholds that maximise each label's F1 on `examples`, set on the network's decoder (archived
    in model.json)."""
    import torch

    from tokcls.tasks.text.decoders import tune_thresholds
    from tokcls.tasks.text.features import targets

    prediction = predictor.run(examples)
    gold = torch.from_numpy(targets(examples, network.labels, "multi_label_classification"))
    thresholds = tune_thresholds(network.decoder.probabilities(prediction.scores), gold)
    network.decoder.thresholds = thresholds
    log.info(
        "Thresholds tuned on the validation split (best F1 per label): %s",
        ", ".join(f"{label} {t:.3f}" for label, t in zip(network.labels, thresholds)),
    )


def after_training(config, data, tokenizer):
    """(finish, test_split) for fit_and_archive."""
    from tokcls.inference.predictor import Predictor
    from tokcls.metrics.summary import format_summary
    from tokcls.tasks.text.examples import split_path
    from tokcls.tasks.text.scoring import score_text_split

    def predictor(network, batch_size):
        return Predictor(network, tokenizer, data.settings, batch_size, next(network.parameters()).device)

    def finish(network) -> None:
        if network.decoder.problem_type == "multi_label_classification":
            tune_thresholds_on(network, predictor(network, config.validation_ds.batch_size), data.val_examples)

    def test_split(network) -> None:
        if config.test_ds.file_path:
            path = split_path(config.data_dir, config.test_ds)
            run = predictor(network, config.test_ds.batch_size)
            _, _, reports = score_text_split(run, path, config.test_ds.num_samples, progress=False)
            print(
                f"\nTest split {path}:\n{run.task.format_reports(reports)}\n\n{format_summary(reports['summary'], 'scikit-learn')}"
            )
        samples = list(config.model.get("infer_samples") or [])
        if samples:
            from tokcls.tasks.text.examples import TextExample

            prediction = predictor(network, 64).run([TextExample(text) for text in samples])
            for text, predicted in zip(samples, prediction.labels):
                print(f"Query : {text}\nResult: {predicted}")

    return finish, test_split
