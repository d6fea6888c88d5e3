"""The HTML of every page type, as the server sends it, checked by the Nu HTML Checker.

The checker (vnu) comes from the `vnu-jar` npm package and runs offline on the system's
Java, once for all the pages.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.pages import PAGE_TYPES, open_page

pytestmark = pytest.mark.browser

VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def nu_html_checker(paths):
    """vnu's messages about the HTML files at `paths`, by file name."""
    java = shutil.which("java")
    if java is None:
        pytest.fail(
            "The HTML check needs a Java runtime: java on the PATH "
            "(Debian: apt-get install default-jre-headless)."
        )
    if not VNU_JAR.exists():
        pytest.fail(f"The HTML check needs {VNU_JAR}: run `npm ci` (`make test` does).")
    checked = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always"]
        + [str(path) for path in paths],
        capture_output=True,
        text=True,
        check=True,
    )
    messages = {}
    for message in json.loads(checked.stdout)["messages"]:
        messages.setdefault(Path(message.get("url", "")).name, []).append(message)
    return messages


def describe(message):
    where = f"line {message['lastLine']}" if "lastLine" in message else "the document"
    extract = f"\n      {message['extract']!r}" if message.get("extract") else ""
    return f"  {where}: {message['message']}{extract}"


def test_every_page_type_is_valid_html(new_context, site, tmp_path):
    for name in PAGE_TYPES:
        page, document = open_page(new_context(), site, name)
        (tmp_path / f"{name}.html").write_bytes(document.body())
        page.context.close()

    messages = nu_html_checker(sorted(tmp_path.glob("*.html")))

    errors, warnings = [], []
    for file, found in sorted(messages.items()):
        for message in found:
            if message["type"] in ("error", "non-document-error"):
                errors.append(f"{file}:\n{describe(message)}")
            elif message.get("subType") == "warning":
                warnings.append(f"{file}:\n{describe(message)}")
    if warnings:
        print("Nu HTML Checker warnings:", *warnings, sep="\n")
    assert not errors, "Nu HTML Checker errors:\n" + "\n".join(errors)
