"""Blueprints: thin request handling. Each module owns one area of the site."""

from __future__ import annotations

from importlib import import_module

from flask import Blueprint

# module name -> attribute holding its blueprint; order only matters for readability
_AREAS = (
    "main",
    "auth",
    "users",
    "audit",
    "regions",
    "kims",
    "kim_transfer",
    "periods",
    "activity",
    "frameworks",
    "assessments",
)


def BLUEPRINTS() -> list[Blueprint]:  # noqa: N802 - reads as the constant it is
    return [import_module(f"tracker.web.{name}").bp for name in _AREAS]
