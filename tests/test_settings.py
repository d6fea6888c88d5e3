import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_every_environment_variable_is_documented_in_env_example():
    read = set(
        re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', (ROOT / "maturity/settings.py").read_text())
    )
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))

    assert read, "no environment variables found: has settings.py changed its style?"
    assert read - documented == set()
    assert documented - read == set()


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()

    assert "make run" in readme and "make test" in readme
