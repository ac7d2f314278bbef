from django.core.exceptions import PermissionDenied


def check_manage_tasks(actor):
    """Operators (staff) define tasks and credit members for state tasks."""
    if not (getattr(actor, "is_authenticated", False) and (actor.is_staff or actor.is_superuser)):
        raise PermissionDenied
