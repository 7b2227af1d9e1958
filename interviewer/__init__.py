"""Mock-interview practice for ML engineer and LLM engineer loops."""

__version__ = "0.1.0"
