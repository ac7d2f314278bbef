from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from . import services
from .lib.mail import mail_subject
from .lib.redirects import safe_next
from .lib.site import mail_sender


class AccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request, user, **kwargs):
        """A banned member cannot sign in: they see the ban page with the reason and end date."""
        if getattr(user, "is_banned", False):
            from allauth.account.internal.stagekit import clear_login

            from .moderation.views import banned_response

            clear_login(request)
            return banned_response(request, user)
        return super().pre_login(request, user, **kwargs)

    def is_safe_url(self, url):
        """allauth's next= (sign in, sign up, sign out) through the site's one check as well."""
        request = getattr(self, "request", None)
        return super().is_safe_url(url) and (request is None or safe_next(request, url) is not None)

    def get_from_email(self):
        """Account mails come from the site's name, as every other mail (forum/lib/site.py)."""
        return mail_sender()

    def format_email_subject(self, subject):
        """allauth's subjects as one line of plain text (its own join keeps control characters)."""
        return mail_subject(super().format_email_subject(subject))

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.member_joined(member=user)
        return user

    def confirm_email(self, request, email_address):
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            services.member_email_verified(member=email_address.user, email=email_address.email)
        return confirmed


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        services.member_joined(member=user)
        return user
