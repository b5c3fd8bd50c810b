"""A load of residents submitting through the real HTTP API (and the HTML form) of a live server.

Every resident is a distinct participant (its own signed device token). A resident
submits once and retries a 503 (or a dropped connection) with the *same*
submission_id until the server acknowledges it, as the page and the API contract
promise. Some residents also double-tap (the same submission_id twice: the second
must get the same receipt) or try a second answer with a new submission_id (must
be refused with 409). Every attempt is recorded so a test can check what the
clients were told against what PostgreSQL holds.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')
COUNTY_ANSWERS = {"gov": "5", "security": "4", "transport": "dk", "age": "u30"}
UNIT_ANSWERS = {"overall": "4"}


@dataclass
class Attempt:
    resident: int
    kind: str  # submit / retry / double_tap / second_answer / page
    channel: str  # api / html
    submission_id: str
    status: int | None  # None: no HTTP answer (connection refused or dropped)
    error_code: str | None
    at: float  # monotonic time the answer arrived
    detail: str = ""
    sent: float = 0.0  # monotonic time the request was sent


@dataclass
class Resident:
    number: int
    device_id: str
    code: str
    channel: str
    submission_id: str | None = None
    acknowledged: str | None = None  # submission_id the server confirmed as stored
    acknowledged_at: float | None = None
    acknowledged_sent: float | None = None  # when the acknowledged request had been sent


@dataclass
class LoadResult:
    residents: list[Resident]
    attempts: list[Attempt]
    started: float
    stopped: float

    @property
    def statuses(self) -> Counter:
        return Counter(a.status for a in self.attempts)

    def acknowledged_ids(self) -> set[str]:
        return {r.acknowledged for r in self.residents if r.acknowledged}

    def unacknowledged(self) -> list[Resident]:
        return [r for r in self.residents if not r.acknowledged]

    def bad_attempts(self) -> list[Attempt]:
        """Answers no client may ever see: a 5xx other than a clear 503, or an unexpected status."""
        allowed = {"submit": {200, 201, 503}, "retry": {200, 201, 503}, "double_tap": {200, 201, 503},
                   "second_answer": {409, 503}, "page": {200, 503}}
        return [a for a in self.attempts if a.status is not None and a.status not in allowed[a.kind]]

    def first_ack_after(self, t: float) -> float | None:
        times = [r.acknowledged_at for r in self.residents if r.acknowledged_at and r.acknowledged_at >= t]
        return min(times) if times else None

    def first_ack_sent_after(self, t: float) -> float | None:
        """When the first acknowledgement of a request *sent* after `t` arrived (not one in flight at `t`)."""
        times = [r.acknowledged_at for r in self.residents if r.acknowledged_sent and r.acknowledged_sent >= t]
        return min(times) if times else None

    def summary(self) -> dict:
        s = self.statuses
        return {
            "residents": len(self.residents),
            "requests": len(self.attempts),
            "acknowledged": len(self.acknowledged_ids()),
            "status_201": s.get(201, 0), "status_200": s.get(200, 0), "status_409": s.get(409, 0),
            "status_503": s.get(503, 0), "status_500": sum(v for k, v in s.items() if k and k >= 500 and k != 503),
            "no_answer": s.get(None, 0),
            "seconds": round(self.stopped - self.started, 1),
        }


class Load:
    """Threads of residents hammering one server until stop() (then they finish their retries)."""

    def __init__(self, base_url: str, codes: dict[str, str], secret_key: str, threads: int = 6,
                 html_share: float = 0.2, seed: int = 7, retry_pause: float = 0.1,
                 give_up_after: float = 60.0) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.codes = codes  # unit code -> entry code
        self.device_signer = URLSafeSerializer(secret_key, salt="participant-device")
        self.form_signer = URLSafeTimedSerializer(secret_key, salt="survey-form")
        self.threads = threads
        self.html_share = html_share
        self.rng = random.Random(seed)
        self.retry_pause = retry_pause
        self.give_up_after = give_up_after
        self.residents: list[Resident] = []
        self.attempts: list[Attempt] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self._started = 0.0

    # -- control ---------------------------------------------------------------------------

    def start(self) -> Load:
        self._started = time.monotonic()
        for i in range(self.threads):
            t = threading.Thread(target=self._run, args=(random.Random(self.rng.random()),), daemon=True,
                                 name=f"resident-load-{i}")
            t.start()
            self._workers.append(t)
        return self

    def wait_for_acks(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.acknowledged() >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"fewer than {count} acknowledged responses after {timeout}s")

    def keep_going(self, seconds: float, more_acks: int = 0, timeout: float = 60) -> None:
        """Let the load run for at least `seconds` and until `more_acks` further acknowledgements."""
        until = time.monotonic() + seconds
        self.wait_for_acks(self.acknowledged() + more_acks, timeout)
        time.sleep(max(0.0, until - time.monotonic()))

    def acknowledged(self) -> int:
        with self._lock:
            return sum(1 for r in self.residents if r.acknowledged)

    def first_ack_after(self, t: float) -> float | None:
        with self._lock:
            times = [r.acknowledged_at for r in self.residents if r.acknowledged_at and r.acknowledged_at >= t]
        return min(times) if times else None

    def stop(self) -> LoadResult:
        self._stop.set()
        for t in self._workers:
            t.join(self.give_up_after + 30)
        return LoadResult(list(self.residents), list(self.attempts), self._started, time.monotonic())

    # -- one resident ------------------------------------------------------------------------

    def _run(self, rng: random.Random) -> None:
        while not self._stop.is_set():
            unit = rng.choice(sorted(self.codes))
            with self._lock:
                resident = Resident(len(self.residents), uuid.uuid4().hex, self.codes[unit],
                                    "html" if rng.random() < self.html_share else "api")
                self.residents.append(resident)
            answers = UNIT_ANSWERS if unit.startswith("U") else COUNTY_ANSWERS
            self._answer(resident, answers, rng)

    def _answer(self, resident: Resident, answers: dict, rng: random.Random) -> None:
        deadline = time.monotonic() + self.give_up_after
        if resident.channel == "html":
            token = None
            while token is None and time.monotonic() < deadline:
                status, body = self._request("GET", f"/s/{resident.code}", resident)
                self._record(resident, "page", resident.submission_id or "-", status, body)
                if status == 200:
                    match = TOKEN_RE.search(body)
                    token = match.group(1) if match else None
                    if token is None:  # an "already answered" page for a new resident would be a bug
                        self._record(resident, "page", "-", 599, "no form token in the page")
                        return
                else:
                    time.sleep(self.retry_pause)
            if token is None:
                return
            resident.submission_id = self.form_signer.loads(token)["sid"]
            payload = dict(answers, token=token)
        else:
            resident.submission_id = str(uuid.uuid4())
            payload = {"submission_id": resident.submission_id, "answers": answers, "duration_seconds": 60}

        kind = "submit"
        while resident.acknowledged is None and time.monotonic() < deadline:
            self._submit(resident, payload, kind, resident.submission_id)
            kind = "retry"
            if resident.acknowledged is None:
                time.sleep(self.retry_pause)
        if resident.acknowledged is None:
            return
        roll = rng.random()
        if roll < 0.15:  # double tap / client retry after a lost answer: same key, same receipt
            self._submit(resident, payload, "double_tap", resident.submission_id)
        elif roll < 0.30 and resident.channel == "api":  # the same person tries to answer again
            second = dict(payload, submission_id=str(uuid.uuid4()))
            self._submit(resident, second, "second_answer", second["submission_id"])

    def _submit(self, resident: Resident, payload: dict, kind: str, submission_id: str) -> None:
        path = f"/s/{resident.code}" if resident.channel == "html" else f"/api/v1/entries/{resident.code}/responses"
        sent = time.monotonic()
        status, body = self._request("POST", path, resident, payload)
        attempt = self._record(resident, kind, submission_id, status, body)
        attempt.sent = sent
        if kind == "second_answer" or status not in (200, 201):
            return
        if resident.channel == "html":
            receipt = re.search(r'id="receipt-no">([0-9A-F]+)<', body)
            confirmed = "提交成功" in body and receipt is not None
            if not confirmed or receipt.group(1) != submission_id.replace("-", "")[:10].upper():
                attempt.detail = "a 200 page that is not our thank-you page"
                attempt.status = 598
                return
        else:
            data = json.loads(body)
            if data.get("submission_id") != submission_id or data.get("status") not in ("accepted", "replayed"):
                attempt.detail = f"receipt for another submission: {body[:200]}"
                attempt.status = 597
                return
        if resident.acknowledged is None:
            resident.acknowledged, resident.acknowledged_at = submission_id, attempt.at
            resident.acknowledged_sent = sent

    # -- HTTP ----------------------------------------------------------------------------------

    def _request(self, method: str, path: str, resident: Resident, payload: dict | None = None):
        token = self.device_signer.dumps(resident.device_id)
        headers = {"Cookie": f"sq_device={token}", "User-Agent": "Mozilla/5.0 (Linux; Android 12) fault-test"}
        body = None
        if payload is not None and resident.channel == "api":
            headers.update({"Content-Type": "application/json", "X-Participant-Token": token})
            body = json.dumps(payload)
        elif payload is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(payload)
        # A fresh connection per request: a keep-alive connection the server closed while idle
        # would look like a dropped answer, which is exactly what these tests must not excuse.
        headers["Connection"] = "close"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            return None, f"{type(exc).__name__}: {exc}"
        finally:
            conn.close()

    def _record(self, resident: Resident, kind: str, submission_id: str, status, body: str) -> Attempt:
        error_code = None
        if status is not None and status >= 400 and resident.channel == "api" and kind != "page":
            try:
                error_code = json.loads(body)["error"]["code"]
            except (ValueError, KeyError, TypeError):
                error_code = "<not the JSON error body>"
        elif status == 503 and "尚未保存" not in body:
            error_code = "<503 page without the not-saved notice>"
        attempt = Attempt(resident.number, kind, resident.channel, submission_id, status, error_code,
                          time.monotonic(), body[:300] if status is None or status >= 500 else "")
        with self._lock:
            self.attempts.append(attempt)
        return attempt
