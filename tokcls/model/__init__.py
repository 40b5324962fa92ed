"""The model: a pretrained encoder and a task's head (Network), the encoder's loading and checks, and the archive that
holds them (no Lightning: inference loads this alone; the LightningModule is training/module.py)."""
