"""Peak memory of one server process under a burst of photo uploads, next to a floor.

    .venv/bin/python bench/uploads.py [--strict]

Each series runs in a fresh Python process (so its peak RSS, Pillow's C buffers included,
is its own): Django set up, then N photos sent to ``civic.uploads.normalise_photo`` by N
threads released together, as N requests would be by a threaded server. The FLOOR is the
same process sending one small photo. Series: 4 and 8 photos of 4,890 × 4,890 pixels
(about 70 kB each, the case of the report), 4 PNGs of 4,000 × 4,000 (the largest decoded
size allowed, no draft reduction for PNG), and the same PNGs with the decode limiter
lifted (UPLOAD_DECODE_CONCURRENCY=64) to show what it saves. Target: every burst stays
within TARGET_MB above the floor
(MAX_CONCURRENT_DECODES × MAX_DECODED_BYTES + 64 MB). ``--strict`` exits 1 when it does not.
"""

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from civic.uploads import MAX_CONCURRENT_DECODES, MAX_DECODED_BYTES  # noqa: E402

# The bound: the decodes allowed at once, each at most MAX_DECODED_BYTES, plus a margin
# for the encoded bytes, the JPEG written and the allocator's arenas.
TARGET_MB = MAX_CONCURRENT_DECODES * MAX_DECODED_BYTES // 2**20 + 64

CHILD = """
import resource, sys, threading, time
import django
from django.conf import settings
settings.configure(USE_I18N=False)
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from civic.uploads import normalise_photo
data = open(sys.argv[1], "rb").read()
count = int(sys.argv[2])
barrier = threading.Barrier(count)
def send():
    barrier.wait()
    normalise_photo(SimpleUploadedFile("a.jpg", data))
threads = [threading.Thread(target=send) for _ in range(count)]
start = time.perf_counter()
[t.start() for t in threads]
[t.join() for t in threads]
elapsed = time.perf_counter() - start
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, round(elapsed, 2))
"""


def photo(path, size, fmt):
    from PIL import Image

    buffer = io.BytesIO()
    options = {"quality": 60} if fmt == "JPEG" else {"compress_level": 1}
    Image.new("RGB", size, (120, 160, 200)).save(buffer, fmt, **options)
    path.write_bytes(buffer.getvalue())
    return path


def run(path, count, env=None):
    done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-c", CHILD, str(path), str(count)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=BASE_DIR,
        env={**os.environ, **(env or {})},
        check=True,
    )
    peak, elapsed = done.stdout.split()
    return int(peak), float(elapsed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        small = photo(tmp / "small.jpg", (800, 600), "JPEG")
        large = photo(tmp / "large.jpg", (4890, 4890), "JPEG")
        png = photo(tmp / "large.png", (4000, 4000), "PNG")
        print(
            f"large JPEG {large.stat().st_size // 1024} kB, large PNG {png.stat().st_size // 1024} kB"
        )
        floor, floor_time = run(small, 1)
        print(f"{'series':<44} {'peak RSS':>9} {'above floor':>12} {'time':>7}")
        print(f"{'FLOOR: 1 photo 800×600':<44} {floor:>6} MB {'':>12} {floor_time:>6}s")
        failed = False
        series = [
            ("4 JPEGs 4,890² at once", large, 4, None, True),
            ("8 JPEGs 4,890² at once", large, 8, None, True),
            ("4 PNGs 4,000² at once", png, 4, None, True),
            (
                "4 PNGs 4,000², limiter lifted (reference)",
                png,
                4,
                {"UPLOAD_DECODE_CONCURRENCY": "64"},
                False,
            ),
        ]
        for label, path, count, env, targeted in series:
            peak, elapsed = run(path, count, env)
            above = peak - floor
            verdict = ("ok" if above <= TARGET_MB else "OVER") if targeted else ""
            failed |= targeted and above > TARGET_MB
            print(f"{label:<44} {peak:>6} MB {above:>9} MB {elapsed:>6}s {verdict}")
        print(f"target: every burst ≤ {TARGET_MB} MB above the floor")
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - started:.0f} s)")
    sys.exit(code)
