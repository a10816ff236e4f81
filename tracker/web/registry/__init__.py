"""Regions, the KIM registry and its import/export."""
