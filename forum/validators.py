from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

username_validator = RegexValidator(
    r"^[A-Za-z0-9_\-\u4e00-\u9fff]{3,30}$",
    _("Use 3 to 30 letters, digits, Chinese characters, '_' or '-'."),
)
username_validators = [username_validator]
