"""Migrations produce exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.models import Base


async def test_migrated_schema_matches_models(engine: AsyncEngine, db_url: str) -> None:
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert diff == []
    assert await migrate.current_revision(engine) == migrate.head_revision(db_url)
