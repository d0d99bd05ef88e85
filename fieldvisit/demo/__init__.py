"""Realistic sample data: a laptop's visits and matters, and an office store merged from laptops."""
