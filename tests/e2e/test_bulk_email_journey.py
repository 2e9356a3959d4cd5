"""Bulk email at scale, in Chromium: an admin sends to a segment of 1,000 people from /admin/email,
the progress bar moves and finishes, and each of them finds exactly one email in the outbox.

The stack is this module's own: its sending rate is raised (BROADCAST_EMAILS_PER_SECOND; SES's
default 14/s would take 71 s for the sending alone) and its table holds only these people. They
are written straight to the table in batches before it starts (test-only seeding: signing 1,000
people up through the API would be the test), all interested in one tag no one else has.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import boto3
import pytest
from playwright.sync_api import Page, expect

import infra.local.triggers.streams as streams_trigger
from infra.local.account import CREDENTIALS, REGION
from infra.local.dynamodb import ensure_table
from infra.local.gateway import read_outbox
from infra.local.stack import LocalStack
from infra.local.template import Template
from infra.local.triggers.streams.records import StreamMapping, load_mappings
from peerlearn import clock, ids, store
from peerlearn.store.keys import USER_PROFILE_SK, role_gsi1pk, user_pk
from peerlearn.store.models import UserItem
from tests.e2e.conftest import admin_page
from tests.support import wait_until

PEOPLE = 1000
RATE_PER_SECOND = 100  # pages of 200 (PAGE_SECONDS = 2): five pages, progress between them


@dataclass(frozen=True)
class Audience:
    table_name: str
    tag: str
    addresses: list[str]


@pytest.fixture(scope="module")
def audience(dynamodb_endpoint: str) -> Iterator[Audience]:
    """1,000 verified learners interested in a tag no one else has, in a table made for this module
    before its stack starts (test-only seeding, 25 items a BatchWriteItem)."""
    table_name = f"bulk-{uuid.uuid4().hex[:8]}"
    tag = f"Bulk{uuid.uuid4().hex[:6]}"
    with pytest.MonkeyPatch.context() as env:
        for key, value in {**CREDENTIALS, "AWS_DEFAULT_REGION": REGION}.items():
            env.setenv(key, value)
        template = Template.load(refs={"Table": table_name})
        ensure_table(boto3.client("dynamodb", endpoint_url=dynamodb_endpoint, region_name=REGION), template)
        store.bind(table_name=table_name, region=REGION, host=dynamodb_endpoint)
        yield Audience(table_name, tag, seed_learners(PEOPLE, tag))


@pytest.fixture(scope="module")
def stack(
    audience: Audience, dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    """This module's stack on the seeded table. Its stream starts at LATEST, as if the 1,000 had
    signed up long before: their sign-ups' reactions (1,000 verification checks and rollups, over a
    minute here) aren't this story; everything after the stack starts goes through the stream."""

    def from_latest(template: Template) -> list[StreamMapping]:
        return [replace(mapping, starting_position="LATEST") for mapping in load_mappings(template)]

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(streams_trigger, "load_mappings", from_latest)
        with LocalStack(
            data_dir=tmp_path_factory.mktemp("bulk-email"),
            port=0,
            dynamodb_endpoint=dynamodb_endpoint,
            table_name=audience.table_name,
            env_file=None,
            overrides={
                "BROADCAST_EMAILS_PER_SECOND": str(RATE_PER_SECOND),
                "POWERTOOLS_LOG_LEVEL": "WARNING",
            },
        ) as running:
            yield running


def seed_learners(count: int, tag: str) -> list[str]:
    """`count` verified learners interested in `tag`, written straight to the bound table; their
    addresses."""
    now = clock.iso(clock.now_seconds())
    addresses = []
    with UserItem.batch_write() as batch:
        for number in range(count):
            user_id = ids.new_id()
            address = f"bulk-{number}-{user_id.lower()}@example.com"
            addresses.append(address)
            batch.save(
                UserItem(
                    user_pk(user_id),
                    USER_PROFILE_SK,
                    id=user_id,
                    email=address,
                    name=f"Learner {number}",
                    role="learner",
                    password_hash="not-a-hash",  # never signs in
                    email_verified=True,
                    interests=[tag],
                    created_at=now,
                    updated_at=now,
                    gsi1pk=role_gsi1pk("learner"),
                    gsi1sk=f"{now}#{user_id}",
                )
            )
    return addresses


def test_a_thousand_people_each_get_exactly_one_email_while_the_progress_bar_moves(
    page: Page, stack: LocalStack, audience: Audience, people: Callable[..., tuple[str, str]]
) -> None:
    # Given 1,000 learners interested in a tag nobody else has, and an admin
    started = time.monotonic()
    tag, addresses = audience.tag, audience.addresses
    _, admin_email = people("admin")

    # When the admin picks the segment, previews it and sends it
    admin_page(page, admin_email, "/admin/email")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bulk email")
    page.get_by_test_id("broadcast-audience-tag").check()
    page.get_by_test_id("broadcast-tag").fill(tag)
    template = page.get_by_test_id("broadcast-template")
    expect(template).to_be_enabled(timeout=30_000)  # the templates come from the API (maybe cold)
    template.select_option("new_sessions")
    page.get_by_test_id("broadcast-title").fill("Hello {{first_name}}")
    page.get_by_test_id("broadcast-body").fill("Three new sessions this week.")
    page.get_by_test_id("broadcast-preview-button").click()
    preview = page.get_by_test_id("broadcast-email-preview")
    expect(preview.get_by_test_id("broadcast-audience-size")).to_have_text(f"{PEOPLE} people", timeout=20_000)
    expect(preview).to_contain_text(f"New in {tag}: Hello Learner")
    page.get_by_test_id("broadcast-send").click()
    expect(page.get_by_test_id("confirm-dialog")).to_contain_text(f"people interested in {tag}")
    page.get_by_test_id("confirm-ok").click()
    sent = time.monotonic()

    # Then its progress bar moves through the pages and fills
    item = page.get_by_test_id("broadcast").filter(has_text="Hello {{first_name}}")
    bar = item.get_by_test_id("broadcast-progress")
    expect(bar).to_have_attribute("aria-valuemax", str(PEOPLE), timeout=20_000)
    seen: set[int] = set()

    def finished() -> bool:
        seen.add(int(bar.get_attribute("aria-valuenow") or 0))
        return item.get_by_test_id("broadcast-status").inner_text() == "Sent"

    wait_until(finished, timeout=90, interval=0.25, what="the bulk email sent")
    done = time.monotonic()
    assert any(0 < value < PEOPLE for value in seen), f"the bar showed no page in between: {sorted(seen)}"
    expect(bar).to_have_attribute("aria-valuenow", str(PEOPLE))
    expect(item.get_by_test_id("broadcast-progress-text")).to_have_text(f"Sent to {PEOPLE} people")

    # And each of the 1,000 has exactly one email, addressed to them by name
    emails = read_outbox(Path(stack.env["OUTBOX_DIR"]))
    outbox = [e for e in emails if e["subject"].startswith(f"New in {tag}")]
    by_address: dict[str, int] = {}
    for email in outbox:
        by_address[email["to"]] = by_address.get(email["to"], 0) + 1
    assert by_address == dict.fromkeys(addresses, 1)
    sample = next(e for e in outbox if e["to"] == addresses[7])
    assert sample["subject"] == f"New in {tag}: Hello Learner"
    assert "Hi Learner 7," in sample["text"]
    moments = sorted(e["sent_at"] for e in outbox)
    print(
        f"the journey: {time.monotonic() - started:.1f} s, of which {sent - started:.1f} s to sign in and "
        f"preview, {done - sent:.1f} s from Send to Sent; emails from {moments[0]} to {moments[-1]}"
    )
