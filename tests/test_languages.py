import pytest

from migdocs.errors import UsageError
from migdocs.repo import languages


@pytest.mark.parametrize("written, code", [
    ("SP", "es"), ("sp", "es"), ("ES", "es"), ("AR", "ar"), ("en", "en"), ("FR", "fr"),
    ("fr-FR", "fr"), ("F", "fr"), ("Spanish", "es"), ("ru", "ru"),
])
def test_un_forms_become_iso_codes(written: str, code: str) -> None:
    assert languages.normalize(written) == code


def test_nonsense_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="not a language code"):
        languages.normalize("klingon!")
