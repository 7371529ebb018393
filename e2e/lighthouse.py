"""``make lighthouse``: Lighthouse's scores of the main public pages of the demo, on a phone.

Lighthouse 12.2.3 (``e2e/node/package.json``, from the npm registry) drives Debian's
Chromium with its default mobile emulation (a mid-range phone, slow 4G, simulated). For each
page it prints the four scores and the bytes transferred. Accessibility and best practices
must be 100: the command fails otherwise and lists the audits that cost points. Performance
and SEO are printed only: performance varies with the machine, and search results are
``noindex`` on purpose (Lighthouse counts that against SEO). Reports are kept in
``test-results/lighthouse/``.
"""

import json
import os
import shutil
import subprocess
import sys

from e2e.conftest import CHROMIUM
from e2e.tour import OUTPUT, chromium, demo_site, resolved_pages

LIGHTHOUSE = OUTPUT.parent / "e2e" / "node" / "node_modules" / "lighthouse" / "cli" / "index.js"
FOLDER = OUTPUT / "lighthouse"
PAGES = {
    "home": "home",
    "ideas list": "ideas list",
    "idea": "idea page",
    "action": "action page",
    "agenda": "agenda",
    "assembly": "assembly page (past, results)",
    "search": "search",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
REQUIRED = {"accessibility": 100, "best-practices": 100}


def run_lighthouse(url, report):
    subprocess.run(  # noqa: S603 (fixed command, no shell)
        [
            shutil.which("node") or "node",
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ],
        check=True,
        timeout=180,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        stdin=subprocess.DEVNULL,
    )
    return json.loads(report.read_text())


def points_lost(result, category):
    """The audits of ``category`` that did not score full marks."""
    refs = result["categories"][category]["auditRefs"]
    lost = []
    for ref in refs:
        audit = result["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            lost.append(f"{ref['id']}: {audit['title']}")
    return lost


def main():
    if not LIGHTHOUSE.exists():
        print("Lighthouse is not installed: run `make lighthouse` (npm ci in e2e/node).")
        return 2
    FOLDER.mkdir(parents=True, exist_ok=True)
    failures = []
    rows = []
    with demo_site() as origin:
        with chromium() as browser:
            paths = {name: path for _who, name, path in resolved_pages(browser, origin)}
        for label, name in PAGES.items():
            result = run_lighthouse(origin + paths[name], FOLDER / f"{label}.json")
            scores = {c: round(result["categories"][c]["score"] * 100) for c in CATEGORIES}
            weight = result["audits"]["total-byte-weight"]["numericValue"] / 1000
            rows.append((label, paths[name], scores, weight))
            for category, required in REQUIRED.items():
                if scores[category] < required:
                    failures.append((label, category, points_lost(result, category)))
    print()
    print("| page | perf. | access. | best pr. | SEO | kB | path |")
    print("|---|---|---|---|---|---|---|")
    for label, path, scores, weight in rows:
        print(
            f"| {label} | {scores['performance']} | {scores['accessibility']} | "
            f"{scores['best-practices']} | {scores['seo']} | {weight:.1f} | {path} |"
        )
    for label, category, lost in failures:
        print(f"\n{label}: {category} below {REQUIRED[category]}:")
        for line in lost:
            print(f"  - {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
