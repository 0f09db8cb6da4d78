"""Tasks, their loaders and generators, and the frozen LLMs that draft programs for them."""
