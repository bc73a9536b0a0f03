"""Domain services: plain async functions over a session and plain values.

They change the database and record what must be sent in the outbox; nothing here talks
to Telegram.
"""
