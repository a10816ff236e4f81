"""The demo district (Lumajang) seeded by `make run` and `flask demo seed`."""
