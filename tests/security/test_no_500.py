"""Malformed input never answers 500: every form and every GET filter reachable from the URLconf, fed by
hypothesis with values no one should send (numbers too large for any column or for ``int()``, negative and
fractional ids, impossible dates, NUL bytes, very long text, lists where one value is expected)."""

import time
from html.parser import HTMLParser

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ..factories import force_login_verified
from . import world

pytestmark = pytest.mark.django_db

# Who opens each page: the first of these that gets a 200 has the page's forms to fill in.
VISITORS = [
    "shengting",
    "qiye_wuhan",
    "qiye_huangshi",
    "pingjia",
    "shizhou_wuhan",
    "shizhou_yichang",
    "zhuanjia",
    "admin",
    None,
]
SKIPPED = {"logout"}
EXAMPLES = 4

malformed = st.one_of(
    st.sampled_from(
        [
            "",
            "abc",
            "0",
            "-1",
            "1.5",
            "1e400",
            "NaN",
            "9" * 30,
            "9" * 5000,
            "2025-13-45",
            "99999-01-01",
            "\x00",
            "<script>x</script>",
            "' OR 1=1 --",
            "x" * 20000,
            "%",
            "../../etc/passwd",
        ]
    ),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


class Forms(HTMLParser):
    """The forms on a page: (method, action, field names)."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = [(attrs.get("method") or "get").lower(), attrs.get("action") or "", set()]
            self.forms.append(self._current)
        elif tag in {"input", "select", "textarea", "button"} and self._current and attrs.get("name"):
            if attrs["name"] != "csrfmiddlewaretoken":
                self._current[2].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def targets(users):
    """(identity, method, url, fields) for every form and GET filter on every pattern, found by visiting."""
    clients = {}
    for username in VISITORS:
        client = Client(raise_request_exception=False)
        if username:
            force_login_verified(client, users[username])
        clients[username] = client
    found, seen = [], set()
    for instance in world.instances(per_pattern=1):
        if instance.name in SKIPPED or instance.route.startswith("api/schema"):
            continue
        for username in VISITORS:
            response = clients[username].get(instance.url)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                break
        else:
            # No one sees a form here (a download or an action): the URL itself takes both methods.
            found.append((None, "get", instance.url, frozenset({"page", "year", "batch"})))
            found.append(("shengting", "post", instance.url, frozenset({"pk", "year", "reason"})))
            continue
        parser = Forms()
        parser.feed(response.content.decode("utf-8", "replace"))
        for method, action, fields in parser.forms:
            url = action if action.startswith("/") else instance.url
            key = (username, method, url.split("?")[0], frozenset(fields))
            if fields and key not in seen:
                seen.add(key)
                found.append(key)
        found.append((username, "get", instance.url, frozenset({"page"})))
    return found, clients


def sender(client, method, url, fields, sent):
    """A hypothesis test that sends malformed values in ``fields`` to ``url`` and fails on a 500."""

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.fixed_dictionaries({name: malformed for name in sorted(fields)}))
    def send(data):
        response = getattr(client, method)(url, data)
        sent[0] += 1
        assert response.status_code < 500, (method, url, data)

    return send


def test_no_malformed_value_in_any_form_or_filter_answers_500(settings, capsys):
    users = world.build(settings)
    found, clients = targets(users)
    started, sent, failures = time.monotonic(), [0], []

    for username, method, url, fields in found:
        try:
            sender(clients[username], method, url, fields, sent)()
        except AssertionError as failure:
            failures.append(str(failure)[:300])

    with capsys.disabled():
        print(
            f"\nmalformed input: {len(found)} forms and filters on {len({u for _i, _m, u, _f in found})} URLs,"
            f" {sent[0]} requests in {time.monotonic() - started:.0f} s; 500s: {len(failures)}"
        )
        for failure in failures:
            print(" ", failure)
    assert failures == []
