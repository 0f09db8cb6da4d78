"""slmfix_exp: train a small language model with RL to repair the DSL programs a frozen LLM writes."""

from pathlib import Path

__version__ = "0.1.0"
CONF_DIR = Path(__file__).resolve().parent / "conf"  # the config groups, shipped in the package
