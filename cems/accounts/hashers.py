"""How passwords are stored: Argon2id, with the parameters of OWASP's Password Storage Cheat
Sheet (46 MiB of memory, one pass, one lane).

Django's default, PBKDF2 with a million rounds of SHA-256, costs half a second of one core
per sign-in on the school's machines; Argon2id, memory-hard and so far costlier to attack
with graphics cards, costs about 80 ms with these parameters. At the start of a morning,
when a hundred people sign in within a minute, that is the difference between a sign-in
storm that holds up every other request and one nobody notices. Hashes of the other
hashers still in PASSWORD_HASHERS are accepted, and rewritten with Argon2id at the user's
next sign-in (as they are whenever these parameters change).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id (the `argon2` algorithm of Django's hasher, whose hashes carry their own
    parameters) with m=47104 KiB, t=1, p=1."""

    time_cost = 1
    memory_cost = 47104
    parallelism = 1
