"""``main.py --publish-due`` as the operating system's scheduler runs it: a real process over a
real encrypted practice folder whose key and Mastodon token are in a real keyring
(gnome-keyring), publishing to a local Mastodon server on 127.0.0.1.

Shown here: a due post goes out once through the API with its clean photo; a process killed
between the platform creating the post and the app recording it, and a connection dropped
after the post was created, are both reconciled by the next run with exactly one remote post;
two runs at once never post twice; with the app's instance lock held it exits 0 without
publishing; and neither the log nor the output carries the post's text or the token.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.accounts.model import Account, AuthKind, Token
from core.accounts.tokens import TokenProvider, token_ref
from core.publishing.model import OutboxEntry, OutboxStatus
from tests import services as test_services
from tests.connectors.servers import faults
from tests.connectors.servers.faults import DROP_AFTER_CREATE, TIMEOUT_AFTER_CREATE, serving
from tests.connectors.servers.mastodon import ACCOUNT_ID, TOKEN, MastodonServer

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Flu shots are here! Walk in any weekday morning, no appointment needed. #FluSeason"
STATUSES = "POST /api/v1/statuses"

pytestmark = [pytest.mark.keyring]


@pytest.fixture(scope="module")
def keyring_env() -> Iterator[dict[str, str]]:
    """A private D-Bus session with an unlocked gnome-keyring, applied to this process (the
    set-up writes the database key and the token) and handed to the runs."""
    with contextlib.ExitStack() as stack:
        try:
            env = stack.enter_context(test_services.gnome_keyring_session())
        except test_services.ServiceUnavailable as exc:
            if os.environ.get("CI"):
                pytest.fail(f"gnome-keyring unavailable: {exc} (CI is set: nothing may skip)")
            pytest.skip(f"gnome-keyring unavailable: {exc}")
        stack.enter_context(test_services.apply_env(env))
        yield env


@pytest.fixture
def mastodon() -> Iterator[MastodonServer]:
    with serving() as http:
        yield MastodonServer(http, lambda: datetime.now(UTC))


@dataclass
class Practice:
    """A practice folder with one post due now, for Mastodon, with one cleared photo."""

    data: Path
    post_id: int
    env: dict[str, str]

    def run(self, *extra: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*extra),
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def command(self, *extra: str) -> list[str]:
        return [sys.executable, "main.py", "--publish-due", "--data-dir", str(self.data), *extra]

    @contextlib.contextmanager
    def store(self) -> Iterator[object]:
        from storage.open import open_local_store
        from storage.secrets import KeyringSecretStore

        with open_local_store(self.data, KeyringSecretStore(), create=False) as local:
            yield local

    def entry(self) -> OutboxEntry:
        with self.store() as local, local.uow_factory() as tx:  # type: ignore[attr-defined]
            [entry] = tx.outbox.for_post(self.post_id)
            return entry  # type: ignore[no-any-return]

    def state(self) -> str:
        with self.store() as local, local.uow_factory() as tx:  # type: ignore[attr-defined]
            return str(tx.posts.get(self.post_id).state.value)

    def lease_runs_out(self) -> None:
        """Time passes: the entry's lease (or back-off) is over, as on a later scheduler run."""
        with self.store() as local, local.uow_factory() as tx:  # type: ignore[attr-defined]
            [entry] = tx.outbox.for_post(self.post_id)
            past = datetime.now(UTC) - timedelta(seconds=1)
            tx.outbox.save(replace(entry, next_attempt_at=past), entry.version)

    def log(self) -> str:
        return (self.data / "logs" / "frontdesk.log").read_text(encoding="utf-8")


@pytest.fixture
def practice(keyring_env: dict[str, str], mastodon: MastodonServer, tmp_path: Path) -> Practice:
    from core.app import DatabaseInfo, DatabaseKind, build_services
    from core.clock import ManualClock
    from core.demo import create_demo_practice
    from core.staff.pins import fast_hasher
    from storage.open import open_local_store
    from storage.secrets import KeyringSecretStore
    from tests.imaging_support import cleared_photos

    data = tmp_path / "practice"
    secrets = KeyringSecretStore()
    with open_local_store(data, secrets) as local:
        now = datetime.now(UTC)
        clock = ManualClock(now - timedelta(minutes=30))
        services = build_services(
            uow=local.uow_factory,
            clock=clock,
            secrets=secrets,
            database=DatabaseInfo(DatabaseKind.SQLITE, "test", True, "0008", str(data)),
            backup_store=None,
            hasher=fast_hasher(),
            media=local.vault,
        )
        staff = create_demo_practice(services, with_posts=False)
        composer = services.composer
        post = composer.new_draft(staff.front_desk, TEXT, ("mastodon",))
        assert post.id is not None
        [photo] = cleared_photos(services, staff.front_desk, [7])
        post = composer.autosave(staff.front_desk, post.id, post.version, media=[photo])
        post = composer.submit(staff.front_desk, post.id, post.version)
        post = composer.approve(staff.manager, post.id, post.version)
        post = composer.schedule(
            staff.front_desk, post.id, post.version, now - timedelta(minutes=1)
        )
        account = Account(
            id=None,
            platform="mastodon",
            label="Maple Grove",
            remote_id=ACCOUNT_ID,
            handle="@maplegrove",
            base_url=mastodon.base_url,
            token_ref=token_ref("mastodon", f"test-{tmp_path.name}"),
            auth_kind=AuthKind.MASTODON_APP,
            connected_at=now,
        )
        with local.uow_factory() as tx:
            account = tx.accounts.add(account)
        TokenProvider(secrets, local.uow_factory).store(account, Token(TOKEN))
        assert post.id is not None
        post_id = post.id
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(keyring_env)
    env.pop("PYTHON_KEYRING_BACKEND", None)
    return Practice(data, post_id, env)


def wait_for(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def assert_nothing_secret(practice: Practice, *outputs: str) -> None:
    for text in (practice.log(), *outputs):
        assert TOKEN not in text
        assert "Flu shots" not in text
        assert "#FluSeason" not in text


def test_a_due_post_goes_out_once_with_its_clean_photo(
    practice: Practice, mastodon: MastodonServer
) -> None:
    result = practice.run()
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Started publishing 1 post; 1 post published, 0 posts failed.",
        "Sent to 1 platform through their API.",
    ]
    assert [line for line in mastodon.lines() if line.startswith("POST")] == [
        "POST /api/v2/media",
        STATUSES,
    ]
    [status] = mastodon.statuses
    assert status.text == TEXT
    [media] = mastodon.media.values()
    assert media.attached
    assert b"Exif" not in media.data[:4096]  # the clean export, not the original
    entry = practice.entry()
    assert entry.status is OutboxStatus.SENT
    assert entry.remote_id == status.id
    headers = next(r.headers for r in mastodon.requests if r.line == STATUSES)
    assert headers["idempotency-key"] == entry.idempotency_key
    assert practice.state() == "published"
    outgoing = practice.data / "vault" / "outgoing"
    assert not outgoing.exists() or list(outgoing.iterdir()) == []
    assert "sent=1" in practice.log()
    assert_nothing_secret(practice, result.stdout, result.stderr)

    again = practice.run()
    assert again.returncode == 0
    assert again.stdout.startswith("Started publishing 0 posts; 0 posts published")
    assert len(mastodon.statuses) == 1


def test_a_run_killed_between_send_and_record_is_reconciled_by_the_next(
    practice: Practice, mastodon: MastodonServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(faults, "STALL_SECONDS", 10.0)
    mastodon.inject("status", TIMEOUT_AFTER_CREATE)  # created; the answer is held back
    run = practice.start()
    try:
        wait_for(lambda: len(mastodon.statuses) == 1)
        run.kill()  # the power goes out before the app records the answer
    finally:
        run.communicate(timeout=30)
    entry = practice.entry()
    assert entry.status is OutboxStatus.SENDING  # the intent, claimed, without an outcome
    assert entry.remote_id is None
    assert practice.state() == "publishing"

    # Within the lease another run leaves it alone (the first might still be sending).
    early = practice.run()
    assert early.returncode == 0, early.stderr
    assert mastodon.lines().count(STATUSES) == 1

    practice.lease_runs_out()
    result = practice.run()
    assert result.returncode == 0, result.stderr
    assert (
        "Sent to 1 platform through their API (1 found there already after an interrupted try)."
        in result.stdout
    )
    assert mastodon.lines().count(STATUSES) == 1  # found by looking, never sent again
    [status] = mastodon.statuses
    entry = practice.entry()
    assert (entry.status, entry.remote_id) == (OutboxStatus.SENT, status.id)
    assert practice.state() == "published"
    assert "reconciled=1" in practice.log()
    assert_nothing_secret(practice, result.stdout, result.stderr)


def test_a_connection_dropped_after_the_post_was_made_is_checked_before_any_retry(
    practice: Practice, mastodon: MastodonServer
) -> None:
    mastodon.inject("status", DROP_AFTER_CREATE)
    first = practice.run()
    assert first.returncode == 0, first.stderr
    assert "To try again later: 0 sending, 1 to check first." in first.stdout
    assert practice.entry().status is OutboxStatus.UNCERTAIN
    assert len(mastodon.statuses) == 1

    practice.lease_runs_out()
    second = practice.run()
    assert second.returncode == 0, second.stderr
    assert "1 found there already" in second.stdout
    assert mastodon.lines().count(STATUSES) == 1
    assert len(mastodon.statuses) == 1
    assert practice.state() == "published"
    assert_nothing_secret(practice, first.stdout, second.stdout)


def test_two_runs_at_once_never_post_twice(
    practice: Practice, mastodon: MastodonServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(faults, "STALL_SECONDS", 3.0)
    mastodon.inject("status", TIMEOUT_AFTER_CREATE)  # the first run is mid-request…
    first = practice.start()
    try:
        wait_for(lambda: STATUSES in mastodon.lines())
        second = practice.run()  # …when the scheduler starts another
        out, err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stdout
    assert first.returncode == 0, err
    assert "Sent to 1 platform through their API." in out
    assert mastodon.lines().count(STATUSES) == 1
    assert len(mastodon.statuses) == 1
    assert practice.state() == "published"


def test_with_the_app_open_it_exits_0_and_leaves_publishing_to_the_app(
    practice: Practice, mastodon: MastodonServer
) -> None:
    from storage.instance_lock import InstanceLock

    with InstanceLock(practice.data):
        result = practice.run()
    assert result.returncode == 0, result.stderr
    assert "already running" in result.stdout
    assert mastodon.requests == []
    assert practice.state() == "scheduled"
    with practice.store() as local, local.uow_factory() as tx:  # type: ignore[attr-defined]
        assert tx.outbox.for_post(practice.post_id) == []


def test_a_refused_post_exits_1_with_the_reason_for_today(
    practice: Practice, mastodon: MastodonServer
) -> None:
    mastodon.token = "another-token"  # the server no longer accepts the stored one
    result = practice.run()
    assert result.returncode == 1
    assert "1 post failed" in result.stdout.splitlines()[0]
    assert "refused by the platform" in result.stdout
    entry = practice.entry()
    assert entry.status is OutboxStatus.FAILED
    assert entry.error_code == "token_revoked"
    assert practice.state() == "failed"
    assert mastodon.statuses == []
    assert_nothing_secret(practice, result.stdout, result.stderr)
