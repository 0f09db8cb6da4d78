"""slmfix_exp: train a small language model with RL to repair the DSL programs a frozen LLM writes."""

__version__ = "0.1.0"
