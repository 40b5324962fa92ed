"""What every task's data shares: windows of sub-tokens stored as flat arrays, the feature cache, the label map and
statistics, length-bucketed batches and the LightningDataModule. A task reads its files (tasks/<task>/)."""
