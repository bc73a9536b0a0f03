"""The pairing's lifecycle: mentors away and who covers them, mentees asking for another
mentor, idle pairings prompted once, graduation.

Revision ID: 0019
Revises: 0016
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("graduated_at", storage.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table("pairings") as batch:
        batch.add_column(sa.Column("idle_prompted_at", storage.types.UTCDateTime(), nullable=True))
    op.create_table(
        "mentor_aways",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("until", storage.types.UTCDateTime(), nullable=False),
        sa.Column("ended_at", storage.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint("until > starts_at", name="ck_mentor_aways_window"),
        sa.ForeignKeyConstraint(["mentor_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mentor_aways_mentor_id", "mentor_aways", ["mentor_id"])
    op.create_index("ix_mentor_aways_until", "mentor_aways", ["until"])
    op.create_index(
        "uq_mentor_aways_open",
        "mentor_aways",
        ["mentor_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_table(
        "covers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("away_id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("cover_mentor_id", sa.Integer(), nullable=True),
        sa.Column("chosen_by", sa.BigInteger(), nullable=True),
        sa.Column("chosen_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("ended_at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["away_id"], ["mentor_aways.id"]),
        sa.ForeignKeyConstraint(["pairing_id"], ["pairings.id"]),
        sa.ForeignKeyConstraint(["cover_mentor_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("away_id", "pairing_id", name="uq_covers_away_pairing"),
    )
    op.create_index(
        "uq_covers_open_pairing",
        "covers",
        ["pairing_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_table(
        "mentor_change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=True),
        sa.Column("text", storage.types.EncryptedText(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IS NULL OR kind IN ('different', 'concern')",
            name="ck_mentor_change_requests_kind",
        ),
        sa.ForeignKeyConstraint(["mentee_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mentor_change_requests_mentee_id", "mentor_change_requests", ["mentee_id"])


def downgrade() -> None:
    op.drop_index("ix_mentor_change_requests_mentee_id", table_name="mentor_change_requests")
    op.drop_table("mentor_change_requests")
    op.drop_index("uq_covers_open_pairing", table_name="covers")
    op.drop_table("covers")
    op.drop_index("uq_mentor_aways_open", table_name="mentor_aways")
    op.drop_index("ix_mentor_aways_until", table_name="mentor_aways")
    op.drop_index("ix_mentor_aways_mentor_id", table_name="mentor_aways")
    op.drop_table("mentor_aways")
    with op.batch_alter_table("pairings") as batch:
        batch.drop_column("idle_prompted_at")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("graduated_at")
