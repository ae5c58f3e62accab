"""API tokens: random, shown once, stored only as a SHA-256 hash; each belongs to a user."""

from __future__ import annotations

import hashlib
import secrets

from omnisolve.service.store import Store


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(store_or_url: Store | str | None, name: str) -> str:
    """A new token for user `name` (created if needed) in a `Store`, or in the database at a URL
    or path (None: the default one, see `Store.get_storage`); only its hash is stored."""
    name = name.strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise ValueError("a user name must have 1 to 100 printable characters")
    store = Store.get_storage(store_or_url)
    token = secrets.token_urlsafe(32)
    try:
        store.add_token(name, hash_token(token))
    finally:
        if store is not store_or_url:
            store.close()
    return token


def authenticate(store: Store, token: str) -> dict | None:
    """The user (`{"id", "name"}`) owning a valid, unrevoked `token`, else None."""
    return store.user_for_token(hash_token(token)) if token else None
