"""Who uses the site, as pytest fixtures (loaded as a plugin by tests/conftest.py):
`curator` (staff, in the curators group, as `setup_curators --add` makes one), `staff_user`
(staff with no permissions) and `superuser`. No passwords (tests log in with force_login):
hashing one costs half a second."""

import pytest
from django.contrib.auth import get_user_model

from trials.curating import files as curation


@pytest.fixture
def curator(db):
    user = get_user_model().objects.create_user("cora")
    curation.add_curator(user=user)
    return user


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user("stan", is_staff=True)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", password=None)
