"""Jobs remember their cross-check mode (off, claims, always).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("cross_check", sa.String(8), nullable=False, server_default="claims"))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("cross_check")
