"""Builders, one per function: its settings in, its ready use case out. They build and inject only."""
