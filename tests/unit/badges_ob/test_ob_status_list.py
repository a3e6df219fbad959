import base64
import gzip

import pytest

from plugins.badges.ob import integrity, keys, status_list


def test_empty_list_has_spec_minimum_size_and_encoding():
    bits = status_list.StatusList()
    encoded = bits.encode()
    assert encoded.startswith("u") and "=" not in encoded
    assert "+" not in encoded and "/" not in encoded  # base64url alphabet
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) == 16384 == status_list.MIN_BITS // 8
    assert raw == bytes(16384)
    assert encoded == status_list.StatusList().encode()  # deterministic (gzip mtime=0)


def test_set_get_round_trip_and_bit_order():
    bits = status_list.StatusList()
    for index in (0, 7, 8, 94567, status_list.MIN_BITS - 1):
        bits.set(index)
    decoded = status_list.StatusList.decode(bits.encode())
    assert [decoded.get(i) for i in (0, 1, 7, 8, 9, 94567, status_list.MIN_BITS - 1)] == [
        True,
        False,
        True,
        True,
        False,
        True,
        True,
    ]
    raw = decoded.to_bytes()
    # Index 0 is the most significant bit of the first byte, 7 its least significant bit.
    assert raw[0] == 0b10000001 and raw[1] == 0b10000000 and raw[-1] == 0b00000001
    decoded.set(7, False)
    assert not decoded.get(7) and decoded.get(0)


def test_index_out_of_range_and_bad_sizes():
    bits = status_list.StatusList()
    with pytest.raises(status_list.StatusListError):
        bits.get(status_list.MIN_BITS)
    with pytest.raises(status_list.StatusListError):
        bits.set(-1)
    with pytest.raises(status_list.StatusListError):
        status_list.StatusList(1024)
    with pytest.raises(status_list.StatusListError):
        status_list.decode_bits("unot-gzip")


def test_list_credential_is_signed_and_checked(ed_key):
    bits = status_list.StatusList()
    bits.set(42)
    issuer = keys.did_key(ed_key)
    doc = status_list.list_credential(
        "https://c.example/status/1", issuer, bits, valid_from="2024-01-01T00:00:00Z"
    )
    assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert doc["credentialSubject"] == {
        "id": "https://c.example/status/1#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": bits.encode(),
    }
    signed = integrity.sign(doc, ed_key, keys.did_key_verification_method(ed_key))

    def resolve(m):
        return integrity.ResolvedMethod(keys.resolve_did_key(m), m.split("#")[0])

    integrity.verify(signed, resolve, expected_controller=issuer)
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": "https://c.example/status/1",
    }
    assert status_list.entry_is_set(entry, signed) is True
    assert status_list.entry_is_set({**entry, "statusListIndex": "41"}, signed) is False
    with pytest.raises(status_list.StatusListError):
        status_list.entry_is_set({**entry, "statusPurpose": "suspension"}, signed)
    with pytest.raises(status_list.StatusListError):
        status_list.entry_is_set({**entry, "statusListCredential": "https://x.example"}, signed)
    # Flipping a bit after signing breaks the list's proof.
    signed["credentialSubject"]["encodedList"] = status_list.StatusList().encode()
    with pytest.raises(integrity.ProofError):
        integrity.verify(signed, resolve)
