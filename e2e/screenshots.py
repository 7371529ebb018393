"""``make screenshots``: phone and desktop screenshots of every page type of the demo.

Written to ``test-results/screenshots/<width>/<persona>--<page>.png`` (ignored by git), the
whole page at 390 px (a phone) and 1280 px (a laptop), for a person to look at; 320 px too
with ``--widths 320,390,1280``. Prints one line per page: its path and its size in pixels.
"""

import argparse
import re
import shutil
import sys

from e2e.tour import OUTPUT, chromium, demo_site, new_context, resolved_pages, storage_state

FOLDER = OUTPUT / "screenshots"


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", default="390,1280", help="comma-separated, in px")
    args = parser.parse_args(argv)
    widths = [int(width) for width in args.widths.split(",")]
    shutil.rmtree(FOLDER, ignore_errors=True)
    with demo_site() as origin, chromium() as browser:
        tour = resolved_pages(browser, origin)
        states = {persona: storage_state(browser, origin, persona) for persona, *_ in tour}
        for width in widths:
            folder = FOLDER / str(width)
            folder.mkdir(parents=True)
            for persona in states:
                context = new_context(
                    browser, origin, width, height=844, storage_state=states[persona]
                )
                try:
                    page = context.new_page()
                    for who, name, path in tour:
                        if who != persona:
                            continue
                        page.goto(path)
                        page.wait_for_load_state("load")
                        target = folder / f"{slug(persona or 'visitor')}--{slug(name)}.png"
                        page.screenshot(path=str(target), full_page=True)
                        height = page.evaluate("document.documentElement.scrollHeight")
                        print(f"{width:>5} px  {height:>6} px high  {path}  → {target.name}")
                finally:
                    context.close()
    print(f"Screenshots in {FOLDER}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
