"""Accounts domain against moto: registration, sign-in, refresh rotation, links, bans."""

from __future__ import annotations

import pytest

from peerlearn import clock, ratelimit
from peerlearn.accounts import admin, service
from peerlearn.accounts.authorize import authorize
from peerlearn.accounts.schemas import RegisterRequest
from peerlearn.accounts.signins import REFRESH_REUSE_GRACE_SECONDS
from peerlearn.context import Context
from peerlearn.errors import BadRequest, Conflict, Forbidden, TooManyRequests, Unauthorized
from peerlearn.store.keys import REFRESH_PREFIX, USER_PROFILE_SK, user_pk
from peerlearn.store.models import RefreshFamilyItem, UserItem

PASSWORD = "mango-monsoon-42"


def register(
    ctx: Context, email: str = "asha@example.com", client_ip: str = "1.2.3.4", **extra: object
) -> str:
    request = RegisterRequest(name="Asha Rao", email=email, password=PASSWORD, **extra)  # type: ignore[arg-type]
    return service.register(ctx, request, client_ip=client_ip).id


def test_register_then_sign_in_returns_tokens_for_the_user(ctx: Context) -> None:
    user_id = register(ctx)

    signed_in = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")

    assert signed_in.user.id == user_id
    assert signed_in.user.email_verified is False
    identity = authorize(ctx.settings.jwt_secret, signed_in.access_token)
    assert (identity.user_id, identity.role) == (user_id, "learner")


def test_a_second_registration_of_one_email_is_refused_and_writes_nothing(ctx: Context) -> None:
    register(ctx)
    with pytest.raises(Conflict) as caught:
        register(ctx, email="asha@example.com")
    assert caught.value.field == "email"
    assert sum(1 for _ in UserItem.by_role.query("ROLE#learner")) == 1


def test_mentors_need_a_headline_and_expertise(ctx: Context) -> None:
    with pytest.raises(BadRequest) as caught:
        register(ctx, email="m@example.com", role="mentor")
    assert caught.value.field == "headline"
    with pytest.raises(BadRequest) as caught:
        register(ctx, email="m@example.com", role="mentor", headline="Python mentor")
    assert caught.value.field == "expertise"


def test_a_learner_signs_up_with_interests_and_they_are_on_the_profile(ctx: Context) -> None:
    user_id = register(ctx, interests=["Python", " System design ", "Python"])

    stored = UserItem.get(user_pk(user_id), USER_PROFILE_SK)

    assert stored.interests == ["Python", "System design"]  # trimmed, repeats dropped, order kept


def test_interests_at_sign_up_that_differ_only_in_case_are_one_interest(ctx: Context) -> None:
    user_id = register(ctx, interests=["Python", "SQL", "python", "PYTHON", "sql", "Go"])

    stored = UserItem.get(user_pk(user_id), USER_PROFILE_SK)

    assert stored.interests == ["Python", "SQL", "Go"]  # the first spelling kept, as the web's chips do


def test_a_learner_may_sign_up_without_interests(ctx: Context) -> None:
    user_id = register(ctx)

    assert UserItem.get(user_pk(user_id), USER_PROFILE_SK).interests == []


def test_interests_at_sign_up_are_for_learners(ctx: Context) -> None:
    with pytest.raises(BadRequest) as caught:
        register(
            ctx,
            email="m@example.com",
            role="mentor",
            headline="Python mentor",
            expertise=["Python"],
            interests=["Go"],
        )
    assert caught.value.field == "interests"
    assert service.find_user_by_email("m@example.com") is None


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(ctx: Context) -> None:
    register(ctx)
    with pytest.raises(Unauthorized) as wrong_password:
        service.login(ctx, email="asha@example.com", password="not-it-at-all-1", client_ip="1.2.3.4")
    with pytest.raises(Unauthorized) as unknown_email:
        service.login(ctx, email="nobody@example.com", password=PASSWORD, client_ip="1.2.3.4")
    assert wrong_password.value.message == unknown_email.value.message
    assert wrong_password.value.code == "invalid_credentials"


def test_twenty_failures_from_one_client_lock_that_client(ctx: Context) -> None:
    for n in range(20):
        with pytest.raises(Unauthorized):
            service.login(ctx, email=f"user{n}@example.com", password="wrong-password-1", client_ip="9.9.9.9")
    with pytest.raises(TooManyRequests):
        service.login(ctx, email="fresh@example.com", password="wrong-password-1", client_ip="9.9.9.9")
    assert ratelimit.seconds_until_allowed(service.LOGIN_PER_CLIENT, "1.1.1.1") == 0


def test_refresh_rotates_and_reusing_the_old_token_ends_the_session(ctx: Context) -> None:
    register(ctx)
    first = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")

    second = service.refresh(ctx, refresh_token=first.refresh_token)
    assert second.refresh_token != first.refresh_token

    with clock.shifted(REFRESH_REUSE_GRACE_SECONDS + 1), pytest.raises(Unauthorized) as reuse:
        service.refresh(ctx, refresh_token=first.refresh_token)
    assert reuse.value.code == "token_reused"
    # The whole family is revoked: the newest token no longer works either.
    with pytest.raises(Unauthorized):
        service.refresh(ctx, refresh_token=second.refresh_token)


def test_the_token_just_rotated_out_presented_again_within_the_grace_is_rotated_again(ctx: Context) -> None:
    """A page navigated away mid-refresh: the server rotated, the response (and its cookie) was lost,
    and the next page presents the old token. That is a new rotation, not the end of the sign-in."""
    register(ctx)
    first = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    with clock.shifted(-(REFRESH_REUSE_GRACE_SECONDS - 1)):  # rotated 9 s ago
        lost = service.refresh(ctx, refresh_token=first.refresh_token)

    again = service.refresh(ctx, refresh_token=first.refresh_token)
    assert again.refresh_token not in (first.refresh_token, lost.refresh_token)
    assert authorize(ctx.settings.jwt_secret, again.access_token).user_id == first.user.id
    assert service.refresh(ctx, refresh_token=again.refresh_token)  # the chain goes on from here


def test_the_token_a_grace_rotation_replaced_is_reuse(ctx: Context) -> None:
    """If the first rotation's response was not lost but a copy of the old token was replayed in the
    window, whoever holds that response is cut off at its next refresh, and the sign-in with it."""
    register(ctx)
    first = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    holder = service.refresh(ctx, refresh_token=first.refresh_token)
    replayed = service.refresh(ctx, refresh_token=first.refresh_token)

    with pytest.raises(Unauthorized) as reuse:
        service.refresh(ctx, refresh_token=holder.refresh_token)
    assert reuse.value.code == "token_reused"
    with pytest.raises(Unauthorized):
        service.refresh(ctx, refresh_token=replayed.refresh_token)
    with pytest.raises(Unauthorized):
        authorize(ctx.settings.jwt_secret, replayed.access_token)


def test_after_the_grace_the_token_just_rotated_out_is_reuse(ctx: Context) -> None:
    register(ctx)
    first = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    second = service.refresh(ctx, refresh_token=first.refresh_token)

    with clock.shifted(REFRESH_REUSE_GRACE_SECONDS + 1):
        with pytest.raises(Unauthorized) as reuse:
            service.refresh(ctx, refresh_token=first.refresh_token)
        assert reuse.value.code == "token_reused"
        with pytest.raises(Unauthorized):
            service.refresh(ctx, refresh_token=second.refresh_token)


def test_the_grace_does_not_move_with_grace_rotations(ctx: Context) -> None:
    register(ctx)
    first = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    service.refresh(ctx, refresh_token=first.refresh_token)
    with clock.shifted(REFRESH_REUSE_GRACE_SECONDS - 2):
        service.refresh(ctx, refresh_token=first.refresh_token)
    with clock.shifted(REFRESH_REUSE_GRACE_SECONDS + 1), pytest.raises(Unauthorized) as reuse:
        service.refresh(ctx, refresh_token=first.refresh_token)
    assert reuse.value.code == "token_reused"


def test_only_the_latest_rotated_token_has_a_grace(ctx: Context) -> None:
    register(ctx)
    first = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    second = service.refresh(ctx, refresh_token=first.refresh_token)
    third = service.refresh(ctx, refresh_token=second.refresh_token)

    with pytest.raises(Unauthorized) as reuse:  # two rotations old, at once
        service.refresh(ctx, refresh_token=first.refresh_token)
    assert reuse.value.code == "token_reused"
    with pytest.raises(Unauthorized):
        service.refresh(ctx, refresh_token=third.refresh_token)


def test_a_refresh_that_loses_the_race_to_rotate_gets_the_grace(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests read the family with the same current token; the second's conditional write fails,
    and it is judged again against what the first wrote (the token it presented was just rotated out)."""
    register(ctx)
    first = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    (stale,) = RefreshFamilyItem.query(
        user_pk(first.user.id), RefreshFamilyItem.sk.startswith(REFRESH_PREFIX)
    )
    winner = service.refresh(ctx, refresh_token=first.refresh_token)
    real_get = RefreshFamilyItem.get
    reads = iter([stale])  # the loser's first read is from before the winner's write
    monkeypatch.setattr(RefreshFamilyItem, "get", lambda *a, **k: next(reads, None) or real_get(*a, **k))

    loser = service.refresh(ctx, refresh_token=first.refresh_token)

    monkeypatch.undo()
    assert loser.refresh_token != winner.refresh_token
    assert service.refresh(ctx, refresh_token=loser.refresh_token)


def test_logout_ends_only_that_session(ctx: Context) -> None:
    register(ctx)
    phone = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    laptop = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")

    service.logout(ctx, refresh_token=phone.refresh_token)

    with pytest.raises(Unauthorized):
        service.refresh(ctx, refresh_token=phone.refresh_token)
    assert service.refresh(ctx, refresh_token=laptop.refresh_token).user.email == "asha@example.com"


def test_verification_link_works_once(ctx: Context, outbox) -> None:  # type: ignore[no-untyped-def]
    user_id = register(ctx)
    service.on_user_created(ctx, user_id)
    token = outbox.token("asha@example.com", "/verify-email?token=")

    assert service.verify_email(ctx, token=token).email_verified is True
    with pytest.raises(BadRequest) as again:
        service.verify_email(ctx, token=token)
    assert again.value.code == "token_used"


def test_the_verification_email_is_sent_once_however_often_the_event_arrives(ctx: Context, outbox) -> None:  # type: ignore[no-untyped-def]
    user_id = register(ctx)
    service.on_user_created(ctx, user_id)
    service.on_user_created(ctx, user_id)
    assert len(outbox.emails("asha@example.com")) == 1


def test_a_reset_token_cannot_verify_an_email(ctx: Context, outbox) -> None:  # type: ignore[no-untyped-def]
    register(ctx)
    service.request_password_reset(ctx, email="asha@example.com", client_ip="1.2.3.4")
    token = outbox.token("asha@example.com", "/reset-password?token=")
    with pytest.raises(BadRequest) as caught:
        service.verify_email(ctx, token=token)
    assert caught.value.code == "invalid_token"


def test_password_reset_changes_the_password_and_ends_every_session(ctx: Context, outbox) -> None:  # type: ignore[no-untyped-def]
    register(ctx)
    before = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    service.request_password_reset(ctx, email="asha@example.com", client_ip="1.2.3.4")
    token = outbox.token("asha@example.com", "/reset-password?token=")

    service.reset_password(ctx, token=token, new_password="a-brand-new-secret-7")

    with pytest.raises(Unauthorized):
        service.refresh(ctx, refresh_token=before.refresh_token)
    with pytest.raises(Unauthorized):
        service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    assert service.login(ctx, email="asha@example.com", password="a-brand-new-secret-7", client_ip="1.2.3.4")
    with pytest.raises(BadRequest):
        service.reset_password(ctx, token=token, new_password="yet-another-secret-8")


def test_password_reset_for_an_unknown_email_sends_nothing(ctx: Context, outbox) -> None:  # type: ignore[no-untyped-def]
    service.request_password_reset(ctx, email="ghost@example.com", client_ip="1.2.3.4")
    assert outbox.emails() == []


def test_change_password_signs_out_other_sessions_but_keeps_this_one(ctx: Context) -> None:
    register(ctx)
    other = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")

    fresh = service.change_password(
        ctx, user_id=other.user.id, current_password=PASSWORD, new_password="a-brand-new-secret-7"
    )

    with pytest.raises(Unauthorized):
        service.refresh(ctx, refresh_token=other.refresh_token)
    assert authorize(ctx.settings.jwt_secret, fresh.access_token).user_id == other.user.id
    assert service.refresh(ctx, refresh_token=fresh.refresh_token)


def test_change_password_with_a_wrong_current_password_names_that_field(ctx: Context) -> None:
    user_id = register(ctx)
    with pytest.raises(BadRequest) as caught:
        service.change_password(
            ctx, user_id=user_id, current_password="nope-nope-12", new_password="whatever-123"
        )
    assert caught.value.field == "current_password"


def test_a_banned_user_is_refused_by_the_authorizer_and_at_sign_in(ctx: Context) -> None:
    user_id = register(ctx)
    signed_in = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    admin_id = service.create_admin(email="root@example.com", name="Root", password="admin-password-99")

    admin.ban(media_base_url="", admin_id=admin_id, user_id=user_id, reason="Spam")

    with pytest.raises(Forbidden):
        authorize(ctx.settings.jwt_secret, signed_in.access_token)
    with pytest.raises(Forbidden):
        service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    admin.unban(media_base_url="", admin_id=admin_id, user_id=user_id, reason="Appeal")
    assert service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")


def test_passwords_are_stored_hashed(ctx: Context) -> None:
    user_id = register(ctx)
    stored = UserItem.get(user_pk(user_id), USER_PROFILE_SK).password_hash
    assert PASSWORD not in stored
    assert stored.startswith("scrypt$")


# ---------------------------------------------------------------- exact revocation
@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> int:
    """Every step of the test happens within one second, the case second-precision revocation missed."""
    from peerlearn import clock

    now = clock.now_seconds()
    monkeypatch.setattr(clock, "now_seconds", lambda: now)
    return now


def test_a_token_from_the_same_second_as_a_password_change_does_not_survive_it(
    ctx: Context, frozen_clock: int
) -> None:
    register(ctx)
    other_device = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")

    fresh = service.change_password(
        ctx, user_id=other_device.user.id, current_password=PASSWORD, new_password="a-brand-new-secret-7"
    )

    with pytest.raises(Unauthorized):
        authorize(ctx.settings.jwt_secret, other_device.access_token)
    assert authorize(ctx.settings.jwt_secret, fresh.access_token).user_id == fresh.user.id


def test_a_token_from_the_same_second_as_a_reset_does_not_survive_it(
    ctx: Context,
    outbox,
    frozen_clock: int,  # type: ignore[no-untyped-def]
) -> None:
    register(ctx)
    before = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    service.request_password_reset(ctx, email="asha@example.com", client_ip="1.2.3.4")
    token = outbox.token("asha@example.com", "/reset-password?token=")

    service.reset_password(ctx, token=token, new_password="a-brand-new-secret-7")

    with pytest.raises(Unauthorized):
        authorize(ctx.settings.jwt_secret, before.access_token)


def test_a_token_from_before_a_ban_stays_dead_after_the_ban_is_lifted(
    ctx: Context, frozen_clock: int
) -> None:
    user_id = register(ctx)
    signed_in = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    admin_id = service.create_admin(email="root@example.com", name="Root", password="admin-password-99")

    admin.ban(media_base_url="", admin_id=admin_id, user_id=user_id, reason="Spam")
    admin.unban(media_base_url="", admin_id=admin_id, user_id=user_id, reason="Appeal")

    with pytest.raises(Unauthorized):
        authorize(ctx.settings.jwt_secret, signed_in.access_token)


def test_signing_out_ends_the_access_token_too(ctx: Context) -> None:
    register(ctx)
    phone = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    laptop = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")

    service.logout(ctx, refresh_token=phone.refresh_token)

    with pytest.raises(Unauthorized) as caught:
        authorize(ctx.settings.jwt_secret, phone.access_token)
    assert caught.value.code == "signed_out"
    assert authorize(ctx.settings.jwt_secret, laptop.access_token).user_id == laptop.user.id


def test_signing_out_with_only_the_access_token_ends_it(ctx: Context) -> None:
    register(ctx)
    api_client = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")

    service.logout(ctx, access_token=api_client.access_token)

    with pytest.raises(Unauthorized):
        authorize(ctx.settings.jwt_secret, api_client.access_token)
    with pytest.raises(Unauthorized):
        service.refresh(ctx, refresh_token=api_client.refresh_token)


def test_refresh_token_reuse_also_ends_the_familys_access_tokens(ctx: Context) -> None:
    register(ctx)
    first = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")
    second = service.refresh(ctx, refresh_token=first.refresh_token)

    with clock.shifted(REFRESH_REUSE_GRACE_SECONDS + 1), pytest.raises(Unauthorized):
        service.refresh(ctx, refresh_token=first.refresh_token)

    for access_token in (first.access_token, second.access_token):
        with pytest.raises(Unauthorized):
            authorize(ctx.settings.jwt_secret, access_token)


# ---------------------------------------------------------------- registration limits
def test_one_client_can_sign_up_only_so_many_accounts_an_hour(ctx: Context) -> None:
    for n in range(20):
        register(ctx, email=f"bot{n}@example.com", client_ip="6.6.6.6")

    with pytest.raises(TooManyRequests) as caught:
        register(ctx, email="bot-too-many@example.com", client_ip="6.6.6.6")

    assert caught.value.retry_after_seconds > 0
    register(ctx, email="someone-else@example.com", client_ip="1.1.1.1")  # other clients are fine


def test_one_address_can_be_tried_only_a_few_times_an_hour(ctx: Context) -> None:
    register(ctx, email="asha@example.com", client_ip="1.1.1.1")
    for ip in ("2.2.2.2", "3.3.3.3"):
        with pytest.raises(Conflict):
            register(ctx, email="asha@example.com", client_ip=ip)
    with pytest.raises(TooManyRequests):
        register(ctx, email="asha@example.com", client_ip="4.4.4.4")


# ---------------------------------------------------------------- look-alike addresses
@pytest.mark.parametrize(
    "lookalike",
    [
        "\u0430sha@example.com",  # Cyrillic a
        "\uff41sha@example.com",  # fullwidth a
        "\U0001d41asha@example.com",  # mathematical bold a
        "asha@\uff45xample.com",  # fullwidth e in the domain
    ],
)
def test_a_look_alike_of_an_existing_address_cannot_register(ctx: Context, lookalike: str) -> None:
    register(ctx, email="asha@example.com")

    with pytest.raises(Conflict) as caught:
        register(ctx, email=lookalike, client_ip="5.5.5.5")

    assert caught.value.code in ("email_lookalike", "email_taken")
    assert caught.value.field == "email"
    assert sum(1 for _ in UserItem.by_role.query("ROLE#learner")) == 1


def test_a_look_alike_is_refused_whichever_registers_first(ctx: Context) -> None:
    register(ctx, email="\U0001d41asha@example.com")
    with pytest.raises(Conflict) as caught:
        register(ctx, email="asha@example.com", client_ip="5.5.5.5")
    assert caught.value.code == "email_lookalike"
    assert "looks the same" in caught.value.message


def test_a_local_part_mixing_scripts_is_refused(ctx: Context) -> None:
    with pytest.raises(BadRequest) as caught:
        register(ctx, email="ash\u0430@example.com")  # Latin "ash" and a Cyrillic a
    assert (caught.value.code, caught.value.field) == ("mixed_script_email", "email")
    assert "Cyrillic and Latin" in caught.value.message


def test_accounts_made_outside_the_api_are_checked_for_look_alikes_too(ctx: Context) -> None:
    register(ctx, email="asha@example.com")
    with pytest.raises(Conflict):
        service.create_account(
            name="Fake Asha", email="\uff41sha@example.com", password=PASSWORD, role="mentor", verified=True
        )


def test_addresses_in_one_other_script_still_register(ctx: Context) -> None:
    assert register(ctx, email="\u0430\u0448\u0430@example.com")  # all Cyrillic


def test_accounts_from_before_skeleton_claims_get_them_and_clashes_are_reported(ctx: Context) -> None:
    from peerlearn.accounts.registration import claim_lookalike_skeletons
    from peerlearn.store.models import EmailClaimItem

    def forget_skeleton_claims() -> None:  # as accounts were stored before this change
        for claim in EmailClaimItem.scan():
            if claim.pk.startswith("EMAIL_SKELETON#"):
                claim.delete()

    first = register(ctx, email="asha@example.com")
    other = register(ctx, email="usha@example.com")
    forget_skeleton_claims()
    old_lookalike = service.create_account(
        name="Fake", email="\uff41sha@example.com", password=PASSWORD, role="learner", verified=False
    )
    forget_skeleton_claims()

    written, clashes = claim_lookalike_skeletons()

    assert written == 2
    assert [sorted(pair) for pair in clashes] == [sorted((first, old_lookalike))]
    assert other not in clashes[0]
    with pytest.raises(Conflict):
        register(ctx, email="\U0001d41asha@example.com", client_ip="5.5.5.5")


def test_the_authorizer_still_answers_when_its_transactional_read_is_cancelled(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pynamodb.exceptions import TransactGetError
    from pynamodb.transactions import TransactGet

    register(ctx)
    signed_in = service.login(ctx, email="asha@example.com", password=PASSWORD, client_ip="1.2.3.4")

    def cancelled(self: TransactGet) -> None:  # a reset's transaction on the user at this moment
        raise TransactGetError("TransactionCanceledException: TransactionConflict")

    monkeypatch.setattr(TransactGet, "_commit", cancelled)
    assert authorize(ctx.settings.jwt_secret, signed_in.access_token).user_id == signed_in.user.id
    service.logout(ctx, refresh_token=signed_in.refresh_token)
    with pytest.raises(Unauthorized):
        authorize(ctx.settings.jwt_secret, signed_in.access_token)
