"""ecoport: track an ecosystem investment portfolio."""

__version__ = "0.1.0"
