"""A person's own data, in a real browser: download it from the profile page, then delete the account
(the dialog asks for the password and DELETE), after which the address no longer signs in."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from infra.local.stack import LocalStack
from tests.e2e.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.e2e


def test_download_my_data_then_delete_my_account(
    stack: LocalStack, page: Page, people: Callable[..., tuple[str, str]]
) -> None:
    _user_id, email = people("learner", name="Tara Download")
    sign_in(page, email)
    page.goto("/profile")

    # Download: a JSON file with their profile and no secret (the first call may pay a cold start).
    expect(page.get_by_test_id("profile-download-data")).to_be_enabled(timeout=30_000)
    with page.expect_download(timeout=30_000) as downloading:
        page.get_by_test_id("profile-download-data").click()
    document = json.loads(Path(downloading.value.path()).read_text())
    assert document["profile"]["name"] == "Tara Download"
    assert "password_hash" not in json.dumps(document)

    # Delete: a wrong password is refused in the dialog, the right one and DELETE delete the account.
    page.get_by_test_id("profile-delete-account").click()
    dialog = page.get_by_test_id("delete-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("delete-password").fill("not-my-password")
    dialog.get_by_test_id("delete-confirm").fill("DELETE")
    dialog.get_by_test_id("delete-submit").click()
    expect(dialog.get_by_test_id("delete-password-error")).to_be_visible()
    dialog.get_by_test_id("delete-password").fill(PASSWORD)
    dialog.get_by_test_id("delete-submit").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_test_id("toast").first).to_contain_text("deleted")

    # The address no longer signs in.
    refused = page.request.post(f"{stack.url}/api/auth/login", data={"email": email, "password": PASSWORD})
    assert refused.status == 401
