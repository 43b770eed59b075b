"""The bulk paths of `bangfu.lib.crypto` give what the one-value functions give."""

from __future__ import annotations

from bangfu.lib import crypto


def test_the_bulk_encryptor_seals_each_value_under_its_own_nonce():
    values = ["51332519900101123X", "", "13812345678", "51332519900101123X", "藏族\n"]
    tokens = crypto.bulk_encryptor("c")(values)
    assert len(tokens) == len(values)
    assert [crypto.decrypt_text(token, context="c") for token in tokens] == values
    assert tokens[0] != tokens[3]  # the same value, another nonce
    assert len({token[3:19] for token in tokens}) == len(tokens)  # the nonces' base64
    assert crypto.bulk_encryptor("c")([]) == []


def test_the_blind_indexer_matches_blind_index():
    index = crypto.blind_indexer("id_number")
    for value in ("x", "", "51332519900101123X", "藏族"):
        assert index(value) == crypto.blind_index(value, purpose="id_number")
