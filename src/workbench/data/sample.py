"""Placeholder for the sample-business generator; being written."""

__all__ = ["sample_dataset"]


def sample_dataset(n_skus: int = 250, years: int = 2, seed: int = 2026):
    """Generate the sample business (not written yet)."""
    raise NotImplementedError("sample_dataset is being written")
