"""Our versions of allauth's account forms (settings.ACCOUNT_FORMS)."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.utils.translation import gettext


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form with our placeholder for the login field: allauth's Chinese catalogue
    says "用户名或email"; ours translates the same words as 用户名或邮箱 (locale/, which wins over
    the apps' catalogues)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].widget.attrs["placeholder"] = gettext("Username or email")
