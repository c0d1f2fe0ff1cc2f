"""A real HTTP receiver on 127.0.0.1, and the endpoints and events that feed it."""

import dataclasses
import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook

from selfwork.catalog.services import listing_create
from selfwork.webhooks.tasks import webhooks_run


@dataclasses.dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str
    # Checked on arrival when the receiver knows the secret, as a real receiver
    # does: the library refuses a timestamp minutes old, and a slow test run can
    # end long after the first message came in.
    checked_with: str | None = None
    checked: dict | Exception | None = None

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    def verified_by(self, secret: str) -> dict:
        """The payload, if ``secret`` signed it (the library raises otherwise)."""
        if self.checked_with != secret:
            return Webhook(secret).verify(self.body, self.headers)
        if isinstance(self.checked, Exception):
            raise self.checked
        assert self.checked is not None
        return self.checked

    def check_on_arrival(self, secret: str) -> None:
        self.checked_with = secret
        try:
            self.checked = Webhook(secret).verify(self.body, self.headers)
        except Exception as refused:
            self.checked = refused


class Receiver:
    """Records every request; answers each with the next of ``answers`` (then 200)
    after ``delay`` seconds."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.answers: list[int] = []
        self.delay = 0.0
        self.secret: str | None = None
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                message = Received(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                if receiver.secret:
                    message.check_on_arrival(receiver.secret)
                with receiver.lock:
                    receiver.requests.append(message)
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    delay = receiver.delay
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def kinds(self) -> list[str]:
        return [r.json["type"] for r in self.requests]


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


@pytest.fixture
def quick_timeout(settings):
    settings.SELFWORK_WEBHOOK_TIMEOUT = 0.5


@pytest.fixture
def guild(community, provider, buyer, member_of):
    member_of(community, provider)
    member_of(community, buyer)
    return community


@pytest.fixture
def register(api_as, host, receiver, community):
    """``register(events, **body)``: the host's endpoint for the guild, as the API
    answered its creation (with the secret)."""

    def make(events, *, member=None, **body):
        body.setdefault("url", receiver.url)
        body.setdefault("community", "guild")
        response = api_as(member or host).post("/webhooks", {"events": events, **body})
        assert response.status_code == 201, response.content
        return response.json()

    return make


@pytest.fixture
def bag(guild, provider, now):
    return listing_create(
        owner=provider,
        community=guild,
        title="Hand-stitched leather bag",
        modes=[
            {"mode": "made_to_order", "price": {"amount": "80.00", "currency": "EUR"}}
        ],
        now=now,
    )


@pytest.fixture
def run():
    """``run(at)``: the worker's webhook round at ``at``, until nothing is left."""

    def go(at: dt.datetime) -> int:
        total = 0
        while done := webhooks_run(now=at):
            total += done
        return total

    return go
