"""medaudit: audit the interpretability and safety of medical LLMs."""

__version__ = "0.1.0"
