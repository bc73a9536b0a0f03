"""The data cipher's id tokens: cached for speed, never readable without the key."""

from __future__ import annotations

import pytest

from storage.crypto import DataCipher, DecryptionError, generate_key, generate_lookup_key


def cipher(*keys: str) -> DataCipher:
    return DataCipher(keys, generate_lookup_key())


def test_ids_round_trip_and_do_not_appear_in_their_tokens() -> None:
    c = cipher(generate_key())
    token = c.encrypt_id(7_123_456_789)
    assert "7123456789" not in token and token.startswith("enc:")
    assert c.decrypt_id(token) == 7_123_456_789
    assert c.decrypt_id(c.encrypt(str(42))) == 42  # a token written by another process


def test_a_cached_id_is_still_unreadable_for_a_cipher_without_the_key() -> None:
    key = generate_key()
    writer = cipher(key)
    token = writer.encrypt_id(99)
    assert writer.decrypt_id(token) == 99
    with pytest.raises(DecryptionError):
        cipher(generate_key()).decrypt_id(token)
    with pytest.raises(DecryptionError):
        DataCipher.unencrypted().decrypt_id(token)  # no keys at all
    assert cipher(generate_key(), key).decrypt_id(token) == 99  # the old key, second


def test_the_caches_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("storage.crypto.CACHE_SIZE", 10)
    c = cipher(generate_key())
    tokens = [c.encrypt_id(n) for n in range(25)]
    assert [c.decrypt_id(t) for t in tokens] == list(range(25))
    assert [c.lookup(n) for n in range(25)] == [c.lookup(n) for n in range(25)]
    assert max(len(c._ids), len(c._id_tokens), len(c._lookups)) <= 10


def test_encrypted_columns_refuse_comparisons_that_could_never_match() -> None:
    from storage.models import Escalation, EscalationEvent, Member

    # Each value is encrypted differently, so `outcome != '[redacted]'` was always true.
    for compare in (
        lambda: Escalation.outcome != "[redacted]",
        lambda: Escalation.flagged_text == "x",
        lambda: EscalationEvent.detail.in_(["x"]),
        lambda: Member.telegram_user_id == 5,
    ):
        with pytest.raises(TypeError, match="cannot be compared"):
            compare()
    assert Escalation.outcome.is_not(None) is not None  # IS (NOT) NULL still works
