"""The report page as a phone sees it: Lighthouse 12 (npm) against gunicorn, debug off.

Lighthouse's default mobile run (a mid-range phone, simulated slow 4G and a 4× slower CPU)
loads the report of the largest round, signed in as its lead, and reports its performance
score, total blocking time, largest contentful paint, the page's DOM size and what it
transferred. It runs in Debian's Chromium, as the browser tests do. `npx` fetches the pinned
Lighthouse from npm on first use.
"""

import json
import os
import shutil
import subprocess
import tempfile

from django.conf import settings
from django.test import Client
from django.urls import reverse

from bench import load

LIGHTHOUSE = "lighthouse@12.2.3"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
TIMEOUT_SECONDS = 240
ATTEMPTS = 2


def session_cookie(user):
    """A signed-in session the lead's browser would hold, for gunicorn to read."""
    browser = Client()
    browser.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"


def run_lighthouse(url, cookie):
    npx = shutil.which("npx")
    if npx is None:
        raise RuntimeError("npx (Node.js) is not on the PATH")
    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"Lighthouse needs Chromium at {CHROMIUM}")
    with tempfile.TemporaryDirectory() as folder:
        output = os.path.join(folder, "report.json")
        completed = subprocess.run(
            [
                npx,
                "--yes",
                LIGHTHOUSE,
                url,
                "--quiet",
                "--only-categories=performance",
                "--output=json",
                f"--output-path={output}",
                f"--chrome-flags={CHROME_FLAGS}",
                f"--extra-headers={json.dumps({'Cookie': cookie})}",
            ],
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
        if completed.returncode != 0 or not os.path.exists(output):
            raise RuntimeError(f"Lighthouse failed: {completed.stderr[-1500:]}")
        with open(output, encoding="utf-8") as file:
            return json.load(file)


def measure_lighthouse(rnd, user, results, *, root, environment, log):
    cookie = session_cookie(user)
    with load.Gunicorn(root=root, environment=environment) as server:
        url = server.base_url + reverse("reports:round", args=[rnd.pk])
        # Lighthouse sometimes loses its trace of the load (NO_NAVSTART): once more, then fail.
        for attempt in range(ATTEMPTS):
            try:
                report = run_lighthouse(url, cookie)
                if report.get("runtimeError"):
                    raise RuntimeError(f"Lighthouse: {report['runtimeError']}")
                break
            except RuntimeError as error:
                if attempt == ATTEMPTS - 1:
                    raise
                log(f"  Lighthouse failed, trying again: {str(error)[:200]}")
    if report["finalDisplayedUrl"] != url:
        # Redirected: the session was not accepted, and a sign-in page was measured instead.
        raise RuntimeError(f"Lighthouse ended at {report['finalDisplayedUrl']}, not {url}")
    audits = report["audits"]
    results["lighthouse_performance"] = round(100 * report["categories"]["performance"]["score"])
    results["lighthouse_tbt_ms"] = round(audits["total-blocking-time"]["numericValue"])
    results["lighthouse_lcp_s"] = round(
        audits["largest-contentful-paint"]["numericValue"] / 1000, 2
    )
    results["lighthouse_fcp_s"] = round(audits["first-contentful-paint"]["numericValue"] / 1000, 2)
    results["report_dom_elements"] = round(audits["dom-size"]["numericValue"])
    results["report_transfer_kb"] = round(audits["total-byte-weight"]["numericValue"] / 1024)
    results["lighthouse_version"] = report["lighthouseVersion"]
    log(
        f"  Lighthouse {report['lighthouseVersion']} mobile: performance "
        f"{results['lighthouse_performance']}, TBT {results['lighthouse_tbt_ms']} ms, LCP "
        f"{results['lighthouse_lcp_s']} s, FCP {results['lighthouse_fcp_s']} s, "
        f"{results['report_dom_elements']} DOM elements, {results['report_transfer_kb']} kB"
    )
