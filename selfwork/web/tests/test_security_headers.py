"""Every HTML page carries a Content-Security-Policy, and a production set-up passes
``check --deploy`` (hardening issue, item 11; decision 0012)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

import selfwork

SELFWORK = Path(sys.executable).parent / "selfwork"


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


class TestContentSecurityPolicy:
    def test_every_page_type_carries_a_policy_without_inline_script(
        self, client, login, community, provider, member_of, make_listing
    ):
        # Given a community with a listing, and the pages people open
        member_of(community, provider)
        listing = make_listing(provider, community, title="Fox in gouache")
        anonymous = [
            reverse("web:home"),
            reverse("web:search") + "?q=fox",
            reverse("web:communities"),
            reverse("web:community", args=[community.slug]),
            reverse("web:listing", args=[listing.public_id]),
            reverse("accounts:login"),
            reverse("accounts:signup"),
            "/no-such-page/",
            "/admin/login/",
            "/api/v1/docs",
        ]
        signed_in = [reverse("web:dashboard"), reverse("web:listing_new")]
        responses = [(path, client.get(path)) for path in anonymous]
        responses += [(path, login(provider).get(path)) for path in signed_in]
        for path, response in responses:
            # When it is served as HTML, then its policy allows scripts and
            # styles from this origin only: nothing inline, no eval
            assert response["Content-Type"].startswith("text/html"), path
            policy = directives(response)
            assert policy["script-src"] == ["'self'"], path
            assert policy["style-src"] == ["'self'"], path
            assert policy["object-src"] == ["'none'"], path
            assert policy["frame-ancestors"] == ["'none'"], path

    def test_an_htmx_fragment_carries_it_too(self, client, db):
        response = client.get(reverse("web:search") + "?q=x", HTTP_HX_REQUEST="true")
        assert "script-src 'self'" in response["Content-Security-Policy"]


# Inline code the policy would block: style attributes, on* handlers, hx-on
# (htmx evals it), and <script> or <style> elements without a file.
_INLINE = re.compile(
    r"""\sstyle=|\son[a-z]+=["']|\shx-on|<script(?![^>]*\ssrc=)[^>]*>|<style""",
    re.IGNORECASE,
)


def test_no_template_has_inline_script_or_style():
    root = Path(selfwork.__file__).parent
    found = []
    for template in sorted(root.glob("*/templates/**/*.html")):
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if _INLINE.search(line):
                found.append(f"{template.relative_to(root)}:{number}: {line.strip()}")
    assert found == []


def test_every_placeholder_hue_has_its_class_in_the_stylesheet():
    from selfwork.web.templatetags.selfwork import _HUES

    css = (Path(selfwork.__file__).parent / "web/static/web/selfwork.css").read_text()
    for hue in _HUES:
        assert f".hue-{hue} {{ --hue: {hue}; }}" in css


class TestCheckDeploy:
    def test_production_settings_pass_with_no_issue(self, tmp_path):
        # Given production settings: HTTPS behind a proxy, a real key, no debug
        env = {
            **os.environ,
            "SELFWORK_DATA_DIR": str(tmp_path),
            "SELFWORK_HTTPS": "true",
            "SELFWORK_SECRET_KEY": secrets.token_urlsafe(50),
            "SELFWORK_DEBUG": "false",
            "SELFWORK_ALLOWED_HOSTS": "market.example.org",
        }
        # The browser tests set this for their live server; production does not.
        for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
            env.pop(name, None)
        # When the operator runs Django's deployment check
        result = subprocess.run(
            [str(SELFWORK), "manage", "check", "--deploy", "--fail-level", "WARNING"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        # Then it reports nothing at all
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "System check identified no issues (0 silenced)." in output
