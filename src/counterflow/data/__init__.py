"""The built-in Mexico dataset (public facts, a source on every row) and its loader.

``load_dataset("builtin:mexico")`` reads the files shipped in ``counterflow/data/mexico``;
``load_dataset(path)`` reads a user's folder in the same layout (``nodes.csv``, ``edges.csv``
and the other files the data README lists).
"""

from counterflow.data.loader import DATA_FILES, Dataset, builtin_path, load_dataset

__all__ = ["DATA_FILES", "Dataset", "builtin_path", "load_dataset"]
