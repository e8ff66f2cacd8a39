"""No-litigation village: the records of this program type."""
