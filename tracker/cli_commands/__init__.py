"""Command implementations, one module per area, attached to the groups of `tracker.cli`."""

from importlib import import_module

for _name in (
    "users",
    "regions",
    "kims",
    "demo",
    "periods",
    "activity",
    "assessments",
    "frameworks",
    "translate",
):
    import_module(f"tracker.cli_commands.{_name}")
