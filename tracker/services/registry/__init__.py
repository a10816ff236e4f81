"""The KIM registry: regions, KIMs, their import and export, and region/KIM lookup by name or
code."""
