"""Periods and framework versions."""
