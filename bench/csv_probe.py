"""Peak memory of one answers CSV export, in a fresh process: `python -m bench.csv_probe
ROUND USER WARMUP_ROUND`, with the benchmark's environment. Prints one JSON line.

A fresh process for each size, so that memory kept from an earlier export cannot hide (or
inflate) what this one needs. The warm-up export of a small round first loads every module
and template the export touches; then the peak RSS (VmHWM, reset through
/proc/self/clear_refs) and, in a second pass, the peak Python allocation (tracemalloc) are
measured over the export alone.
"""

import json
import sys
import tracemalloc

import django


def _status_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _export(browser, url):
    answer = browser.get(url)
    if answer.status_code != 200:
        raise SystemExit(f"{url} answered {answer.status_code}")
    size = sum(len(chunk) for chunk in answer.streaming_content)
    answer.close()
    return size


def main(round_pk, user_pk, warmup_round_pk):
    django.setup()
    from django.test import Client
    from django.urls import reverse

    from maturity.models import User

    browser = Client()
    browser.force_login(User.objects.get(pk=user_pk))
    _export(browser, reverse("reports:answers_csv", args=[warmup_round_pk]))
    url = reverse("reports:answers_csv", args=[round_pk])

    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # VmHWM := VmRSS
    before = _status_kb("VmRSS")
    size = _export(browser, url)
    rss_growth = (_status_kb("VmHWM") - before) / 1024

    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    _export(browser, url)
    peak = (tracemalloc.get_traced_memory()[1] - base) / 2**20
    tracemalloc.stop()
    print(
        json.dumps(
            {"rss_growth_mb": round(rss_growth, 1), "peak_mb": round(peak, 2), "bytes": size}
        )
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:4]))
