"""Where omnisolve keeps data between runs. The service's job store and the run history open
their database the same way, after Optuna's `get_storage`: `Kind.get_storage(None | path or URL |
Kind instance)`, SQLite by default, PostgreSQL by URL (`database.py`, `engine.py`)."""

from omnisolve.storage.database import Database
from omnisolve.storage.engine import StorageError, database_url, shown, sqlite_file

__all__ = ["Database", "StorageError", "database_url", "shown", "sqlite_file"]
