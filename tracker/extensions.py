"""The Flask extensions, created once and bound to an app in the factory. (Flask-Migrate is set
up by `flask db` itself, tracker.cli.migrations: only those commands need Alembic.)"""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from tracker.models.base import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
