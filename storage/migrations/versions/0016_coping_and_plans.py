"""Coping exercises gone through (and whether they helped), and each mentee's own recovery
plan (encrypted).

Revision ID: 0016
Revises: 0018
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0016"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recovery_plans",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("warning", storage.types.EncryptedText(), nullable=True),
        sa.Column("triggers", storage.types.EncryptedText(), nullable=True),
        sa.Column("coping", storage.types.EncryptedText(), nullable=True),
        sa.Column("people", storage.types.EncryptedText(), nullable=True),
        sa.Column("reasons", storage.types.EncryptedText(), nullable=True),
        sa.Column("awaiting", sa.String(length=10), nullable=True),
        sa.Column("building", sa.Boolean(), nullable=False),
        sa.Column("asked_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("shared_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "awaiting IS NULL OR awaiting IN "
            "('warning', 'triggers', 'coping', 'people', 'reasons')",
            name="ck_recovery_plans_awaiting",
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_table(
        "coping_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("exercise", sa.String(length=10), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("sent_by_mentor", sa.Boolean(), nullable=False),
        sa.Column("helped", sa.String(length=4), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("answered_at", storage.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "exercise IN ('urge', 'ddd', 'halt', 'breathe', 'ground', 'tape', 'call')",
            name="ck_coping_runs_exercise",
        ),
        sa.CheckConstraint(
            "helped IS NULL OR helped IN ('yes', 'bit', 'no')", name="ck_coping_runs_helped"
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_coping_runs_member_id", "coping_runs", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_coping_runs_member_id", table_name="coping_runs")
    op.drop_table("coping_runs")
    op.drop_table("recovery_plans")
