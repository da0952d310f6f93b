"""Exploration under deep uncertainty (issue 33)."""
