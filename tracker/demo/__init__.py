"""The demo district (Lumajang) seeded by `make run` and `flask demo seed`.

This package's modules are heavy (the district's data, every service they seed through): the
command line imports them when a demo command runs, not when `flask` starts."""

DEFAULT_KIM_COUNT = 200
