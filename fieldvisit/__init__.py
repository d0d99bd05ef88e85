"""fieldvisit: record the matters raised on leaders' site visits, offline, and hand them to the petition office."""

__version__ = "0.1.0"
