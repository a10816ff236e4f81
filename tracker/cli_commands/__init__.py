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
    try:
        import_module(f"tracker.cli_commands.{_name}")
    except ModuleNotFoundError as exc:  # pragma: no cover - only while an area is being built
        if exc.name != f"tracker.cli_commands.{_name}":
            raise
