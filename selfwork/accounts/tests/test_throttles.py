"""Sign-ups are throttled per address, on the API and on the web page."""

PASSWORD = "a long enough passphrase"


def signup(client, n, address="203.0.113.9"):
    return client.post(
        "/api/v1/auth/signup",
        {"username": f"spam{n}", "email": f"spam{n}@example.com", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


class TestSignupThrottle:
    def test_an_address_gets_ten_sign_ups_an_hour_then_429(self, db, client):
        statuses = [signup(client, n).status_code for n in range(12)]
        assert statuses == [201] * 10 + [429] * 2
        refused = signup(client, 99)
        assert refused["Content-Type"] == "application/problem+json"
        assert refused.json()["code"] == "rate_limited"
        assert "sign-ups" in refused.json()["detail"]
        assert 0 < int(refused["Retry-After"]) <= 3600
        assert signup(client, 100, address="198.51.100.1").status_code == 201

    def test_the_web_page_answers_429_with_a_message(self, db, client, settings):
        settings.SELFWORK_THROTTLES = {
            **settings.SELFWORK_THROTTLES,
            "signup": "1/hour",
        }
        form = {"username": "olga", "email": "olga@example.com", "password": PASSWORD}
        assert client.post("/signup/", form).status_code == 302
        client.post("/logout/")
        refused = client.post(
            "/signup/", {**form, "username": "olga2", "email": "olga2@example.com"}
        )
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert b"Too many sign-ups from your address" in refused.content
