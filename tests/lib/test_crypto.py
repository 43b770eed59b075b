from __future__ import annotations

import pytest

from bangfu.lib import crypto


def test_it_round_trips_and_uses_a_fresh_nonce():
    first = crypto.encrypt_text("51332519900101123X", context="t")
    second = crypto.encrypt_text("51332519900101123X", context="t")
    assert first != second
    assert "513325" not in first
    assert crypto.decrypt_text(first, context="t") == "51332519900101123X"


def test_it_refuses_another_context_or_a_tampered_token():
    token = crypto.encrypt_text("secret", context="a")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token, context="b")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token[:-4] + "AAAA", context="a")


def test_it_indexes_deterministically_per_purpose(settings):
    assert crypto.blind_index("x", purpose="id_number") == crypto.blind_index("x", purpose="id_number")
    assert crypto.blind_index("x", purpose="id_number") != crypto.blind_index("x", purpose="bank")
    assert crypto.blind_indexer("id_number")("x") == crypto.blind_index("x", purpose="id_number")
    before = crypto.blind_index("x")
    settings.FIELD_KEY = "another-field-key-that-is-long-enough-to-use"
    assert crypto.blind_index("x") != before


def test_the_fast_encryptor_matches_decrypt():
    assert crypto.decrypt_text(crypto.encryptor("c")("v"), context="c") == "v"
