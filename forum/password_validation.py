"""Password rules as Django's, with messages our catalogue translates.

Django 5.2 reworded MinimumLengthValidator's error ("...at least %d characters.") and its Chinese
catalogue still has only the old wording, so a new member signing up in Chinese read that one
error in English. The subclass asks for the same words through our own catalogue (locale/), which
has the Chinese."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %d character.",
            "This password is too short. It must contain at least %d characters.",
            self.min_length,
        ) % self.min_length
