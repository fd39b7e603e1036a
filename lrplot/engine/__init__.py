"""The schedule engine: numpy reproductions of torch's LR schedulers. Knows nothing of files or terminals."""
