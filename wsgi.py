"""WSGI entry point: `gunicorn 'wsgi:app'`. Configuration comes from the environment."""

from tracker import create_app

app = create_app()
