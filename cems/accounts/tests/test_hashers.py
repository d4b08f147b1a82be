"""Passwords are stored with Argon2id (cems/accounts/hashers.py); hashes of the hashers that
came before are accepted once and rewritten at the next sign-in."""

import importlib

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import Client
from django.urls import reverse

from cems.accounts.hashers import OwaspArgon2PasswordHasher
from cems.accounts.models import Role, User

PASSWORD = "correct horse battery staple"
# What cems/settings.py configures (the suite itself hashes with MD5, for speed).
CONFIGURED = importlib.import_module("cems.settings").PASSWORD_HASHERS


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = CONFIGURED


def test_settings_put_argon2id_first():
    assert CONFIGURED[0] == "cems.accounts.hashers.OwaspArgon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in CONFIGURED[1:]


@pytest.mark.usefixtures("production_hashers")
def test_new_passwords_are_argon2id_with_owasp_parameters():
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")
    assert isinstance(identify_hasher(encoded), OwaspArgon2PasswordHasher)
    assert check_password(PASSWORD, encoded)
    assert not check_password(PASSWORD + "!", encoded)


@pytest.mark.django_db
@pytest.mark.usefixtures("production_hashers")
@pytest.mark.parametrize(
    "old_hasher", ["pbkdf2_sha256", "argon2-django-default"], ids=["pbkdf2", "argon2-heavier"]
)
def test_an_older_hash_signs_in_and_is_rewritten_with_argon2id(old_hasher):
    if old_hasher == "argon2-django-default":
        from django.contrib.auth.hashers import Argon2PasswordHasher

        old = Argon2PasswordHasher().encode(PASSWORD, "somesaltsomesalt")
    else:
        old = make_password(PASSWORD, hasher=old_hasher)
    user = User.objects.create(username="old_hash", role=Role.ADMIN, password=old)
    answer = Client().post(
        reverse("accounts:login"), {"username": "old_hash", "password": PASSWORD}
    )
    assert answer.status_code == 302
    assert reverse("accounts:login") not in answer["Location"]
    user.refresh_from_db()
    assert user.password != old
    assert user.password.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.usefixtures("production_hashers")
def test_a_wrong_password_leaves_the_older_hash_as_it_was():
    old = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user = User.objects.create(username="old_hash", role=Role.ADMIN, password=old)
    answer = Client().post(reverse("accounts:login"), {"username": "old_hash", "password": "wrong"})
    assert answer.status_code == 200
    user.refresh_from_db()
    assert user.password == old
