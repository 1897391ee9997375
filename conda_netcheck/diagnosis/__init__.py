"""From probe facts to diagnoses: the advice, the explainers and the runner that orders the layers."""
