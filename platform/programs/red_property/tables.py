"""Red property rating: the records of this program type."""
