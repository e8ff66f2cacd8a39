"""Village rules: the records of this program type."""
