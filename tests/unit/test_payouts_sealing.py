"""Envelope encryption of bank details: what is sealed opens only with its key, for its mentor; KMS
(moto) in the cloud and the local key give the same guarantees; settings pick one loudly."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from peerlearn.config import ConfigError, PayoutSettings
from peerlearn.payouts.sealing import KmsKeys, LocalKeys, SealBroken, Sealed, key_wrapper, seal, unseal
from tests.payouts_support import LOCAL_DATA_KEY, PAYOUT_ENV

DETAILS = b'{"pan": "ABCDE1234F", "account_number": "50100123456789"}'
ASHA = {"purpose": "payout_account", "mentor_id": "asha"}
VIKRAM = {"purpose": "payout_account", "mentor_id": "vikram"}


@pytest.fixture
def kms() -> Iterator[KmsKeys]:
    with mock_aws():
        client = boto3.client("kms", region_name="ap-south-1")
        key_id = client.create_key(Description="payout data")["KeyMetadata"]["KeyId"]
        yield KmsKeys(key_id, client)


@pytest.fixture(params=["local", "kms"])
def keys(request: pytest.FixtureRequest) -> LocalKeys | KmsKeys:
    if request.param == "local":
        return LocalKeys(LOCAL_DATA_KEY)
    kms: KmsKeys = request.getfixturevalue("kms")
    return kms


def test_sealed_details_open_for_their_mentor(keys: LocalKeys | KmsKeys) -> None:
    sealed = seal(keys, DETAILS, ASHA)

    assert DETAILS not in sealed.ciphertext
    assert b"50100123456789" not in sealed.wrapped_key
    assert unseal(keys, sealed, ASHA) == DETAILS


def test_each_record_has_its_own_data_key(keys: LocalKeys | KmsKeys) -> None:
    first, second = seal(keys, DETAILS, ASHA), seal(keys, DETAILS, ASHA)
    assert first.wrapped_key != second.wrapped_key
    assert first.ciphertext != second.ciphertext


def test_details_copied_onto_another_mentor_do_not_open(keys: LocalKeys | KmsKeys) -> None:
    sealed = seal(keys, DETAILS, ASHA)
    with pytest.raises(SealBroken):
        unseal(keys, sealed, VIKRAM)


def test_tampered_details_do_not_open(keys: LocalKeys | KmsKeys) -> None:
    sealed = seal(keys, DETAILS, ASHA)
    flipped = bytes([sealed.ciphertext[-1] ^ 1])
    tampered = Sealed(sealed.ciphertext[:-1] + flipped, sealed.wrapped_key, sealed.key_source)
    with pytest.raises(SealBroken):
        unseal(keys, tampered, ASHA)


def test_another_local_key_does_not_open_them() -> None:
    sealed = seal(LocalKeys(LOCAL_DATA_KEY), DETAILS, ASHA)
    with pytest.raises(SealBroken):
        unseal(LocalKeys(LOCAL_DATA_KEY + "x"), sealed, ASHA)


def test_details_sealed_locally_are_not_handed_to_kms(kms: KmsKeys) -> None:
    sealed = seal(LocalKeys(LOCAL_DATA_KEY), DETAILS, ASHA)
    with pytest.raises(SealBroken):
        unseal(kms, sealed, ASHA)


def test_settings_need_a_key_and_prefer_the_local_one() -> None:
    without = {k: v for k, v in PAYOUT_ENV.items() if k != "PAYOUT_DATA_KEY"}
    with pytest.raises(ConfigError):
        PayoutSettings.from_env(without)
    with pytest.raises(ConfigError):
        PayoutSettings.from_env({**PAYOUT_ENV, "PAYOUT_DATA_KEY": "short"})
    with pytest.raises(ConfigError):
        PayoutSettings.from_env({**PAYOUT_ENV, "PAYOUT_MIN_WITHDRAWAL_PAISE": ""})
    cloud = PayoutSettings.from_env({**without, "PAYOUT_KMS_KEY_ID": "alias/payouts"})
    assert isinstance(key_wrapper(cloud), KmsKeys)
    # Locally the template's key reference is only a name: the local key wins.
    local = PayoutSettings.from_env({**PAYOUT_ENV, "PAYOUT_KMS_KEY_ID": "PayoutDataKey"})
    assert isinstance(key_wrapper(local), LocalKeys)
    assert LOCAL_DATA_KEY not in repr(local)
    assert local.min_withdrawal_paise == 50_000
