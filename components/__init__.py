"""Reusable Dash components; each is a pure function of its data."""
