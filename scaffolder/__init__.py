"""scaffold: recommend a deep-learning framework and generate a starter training project."""

__version__ = "0.1.0"
