"""The portfolio: instance features, the learned selector, racing in isolated processes."""
