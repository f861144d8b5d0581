"""End-to-end model training: data loading, the training loop, model dirs."""
