import pytest


@pytest.fixture(autouse=True)
def quick_password_hashing(request, settings):
    """Hash with MD5 in tests: Argon2 spends ~0.2 s per member by design.

    Tests marked ``real_hashing`` keep the production hashers.
    """
    if request.node.get_closest_marker("real_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
