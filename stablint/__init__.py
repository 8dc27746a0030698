"""stablint: catch unstable deep-learning training runs before they burn GPU hours."""

__version__ = "0.1.0"
