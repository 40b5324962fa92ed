import numpy as np
from omegaconf import OmegaConf

from tests.conftest import write_ner_dataset
from tokcls.data import cache
from tokcls.data.batching import BucketBatchSampler, Collate, ResumableLoader
from tokcls.data.windows import IGNORE, WindowSettings
from tokcls.tasks.token.data import load_split


def test_bucketed_batches_cover_every_window_once_and_vary_by_epoch():
    lengths = np.random.default_rng(0).integers(3, 120, size=1000)
    sampler = BucketBatchSampler(lengths, batch_size=32, shuffle=True, seed=1, pool=4)
    batches = list(sampler)
    assert sorted(i for b in batches for i in b) == list(range(1000)) and len(batches) == len(sampler)

    def padding(batches):
        return sum(len(b) * max(lengths[b]) - sum(lengths[b]) for b in batches) / lengths.sum()

    order = np.random.default_rng(1).permutation(1000).tolist()
    random_batches = [order[i : i + 32] for i in range(0, 1000, 32)]
    assert padding(batches) < padding(random_batches) / 3
    sampler.set_epoch(1)
    assert list(sampler) != batches


def test_evaluation_batches_are_sorted_longest_first():
    lengths = np.array([5, 50, 20, 7])
    assert list(BucketBatchSampler(lengths, 2, shuffle=False)) == [[1, 2], [3, 0]]


def test_collate_pads_to_the_longest_window_in_the_batch():
    windows = [
        {
            "input_ids": np.array([1, 2, 3]),
            "labels": np.array([IGNORE, 0, IGNORE]),
            "word_index": np.array([-1, 0, -1]),
            "example": 4,
        },
        {"input_ids": np.array([1, 2]), "labels": np.array([IGNORE, 1]), "word_index": np.array([-1, 0]), "example": 5},
    ]
    batch = Collate(pad_id=0)(windows)
    assert batch["input_ids"].tolist() == [[1, 2, 3], [1, 2, 0]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 1, 0]]
    assert batch["labels"].tolist() == [[IGNORE, 0, IGNORE], [IGNORE, 1, IGNORE]]
    assert batch["example"].tolist() == [4, 5]


def test_features_are_cached_and_a_changed_file_is_not_reused(tmp_path, tiny_tokenizer):
    data = write_ner_dataset(tmp_path / "data", n_train=20, n_dev=5)
    split = OmegaConf.create({"text_file": "text_train.txt", "labels_file": "labels_train.txt", "num_samples": -1})
    labels = ["O", "B-LOC", "B-PER", "I-PER"]
    _, first, _, _ = load_split(split, data, tiny_tokenizer, labels, WindowSettings())
    cached = list((data / ".tokcls_cache").glob("features_*.safetensors"))
    assert len(cached) == 1
    loaded, _ = cache.load(cached[0])
    assert all(np.array_equal(a, b) for a, b in zip(first.arrays().values(), loaded.arrays().values()))

    (data / "text_train.txt").write_text("paris\n" * 20)
    (data / "labels_train.txt").write_text("B-LOC\n" * 20)
    _, second, _, _ = load_split(split, data, tiny_tokenizer, labels, WindowSettings())
    assert len(list((data / ".tokcls_cache").glob("features_*.safetensors"))) == 2
    assert len(second.input_ids) == 20 * 3


def test_read_only_data_dir_falls_back_to_results(tmp_path, tiny_tokenizer, monkeypatch):
    data = write_ner_dataset(tmp_path / "data", n_train=5, n_dev=2)
    split = OmegaConf.create({"text_file": "text_train.txt", "labels_file": "labels_train.txt", "num_samples": -1})
    real_store = cache.store

    def store_with_readonly_data_dir(path, features, info, fallback_dir=None):
        original = cache.atomic_files

        def refuse_data_dir(directory):
            if str(directory).startswith(str(data)):
                raise PermissionError(13, "Read-only file system")
            return original(directory)

        monkeypatch.setattr(cache, "atomic_files", refuse_data_dir)
        return real_store(path, features, info, fallback_dir)

    monkeypatch.setattr(cache, "store", store_with_readonly_data_dir)
    load_split(
        split,
        data,
        tiny_tokenizer,
        ["O", "B-LOC", "B-PER", "I-PER"],
        WindowSettings(),
        fallback_dir=tmp_path / "results",
    )
    assert list((tmp_path / "results").glob("features_*.safetensors"))


def test_shards_of_several_processes_cover_every_window_and_step_together():
    lengths = np.random.default_rng(0).integers(3, 60, size=203)
    evaluation = [list(BucketBatchSampler(lengths, 16, shuffle=False, rank=r, world=3)) for r in range(3)]
    windows = [i for shard in evaluation for batch in shard for i in batch]
    assert sorted(windows) == list(range(203))  # each exactly once: no padding, none missed
    training = [BucketBatchSampler(lengths, 16, shuffle=True, seed=1, rank=r, world=3) for r in range(3)]
    assert len({len(list(s)) for s in training}) == 1 == len({len(s) for s in training})  # equal steps
    assert set(range(203)) <= {i for s in training for batch in s for i in batch}


def test_the_loader_moves_the_sampler_to_each_epoch_and_resumes_mid_epoch():
    lengths = np.arange(1, 101)
    position = [0, 0]
    loader = ResumableLoader(
        list(range(100)),
        batch_sampler=BucketBatchSampler(lengths, 10, True, seed=3),
        collate_fn=lambda windows: windows,
        position=lambda: tuple(position),
    )
    epoch0 = list(loader)
    position[:] = [1, 0]
    epoch1 = list(loader)
    assert epoch0 != epoch1  # Lightning only sets the epoch of samplers, not of batch samplers
    position[:] = [0, 10]  # a checkpoint taken as epoch 0 ended: the next pass is epoch 1
    assert list(loader) == epoch1
    loader.load_state_dict({"epoch": 1, "batches_done": 3})
    assert list(loader) == epoch1[3:]
    assert loader.state_dict() == {"epoch": 0, "batches_done": 10}
