"""The model: a pretrained encoder, a fully connected head, and the LightningModule around them."""
