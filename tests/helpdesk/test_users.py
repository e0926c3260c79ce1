import pytest
from django.core.management import call_command

from helpdesk.models import User
from helpdesk.roles import Role, role_of

pytestmark = pytest.mark.django_db


def test_createsuperuser_noinput_from_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-password-1")
    call_command("createsuperuser", interactive=False, verbosity=0)
    user = User.objects.get(username="root")
    assert role_of(user) == Role.ADMIN and user.role == Role.ADMIN
    assert user.check_password("a-long-password-1")


def test_admin_role_and_django_admin_access_move_together():
    user = User.objects.create_user("sam", role=Role.ADMIN)
    assert user.is_staff and user.is_superuser
    user.role = Role.AGENT
    user.save(update_fields=["role"])
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    assert role_of(user) == Role.AGENT
