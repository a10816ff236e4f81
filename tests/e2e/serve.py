"""Serve the app for the browser tests: development configuration, uploads kept in a given folder.

Run as `python -m tests.e2e.serve --port N --uploads DIR` with DATABASE_URL set. A separate process
(not a thread of the test run) so the server sees exactly what `make run` would: migrations, CSP
headers, CSRF on, real sessions.
"""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from config import load_config
from tracker import create_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--uploads", required=True)
    args = parser.parse_args()
    app = create_app(load_config("development"))
    app.config["UPLOAD_FOLDER"] = args.uploads
    run_simple("127.0.0.1", args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
