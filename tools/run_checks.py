"""Run the steps of `make test` one after another and print a summary with counts.

Each argument is ``NAME=COMMAND``. Every step runs even if an earlier one failed, so one run
reports everything that is wrong; the exit status is non-zero if any step failed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

SUMMARY = re.compile(r"^=*\s*(\d+ (passed|failed|error|skipped).*?)\s*(in [\d.]+s.*)?=*$")


def run(name: str, command: str) -> tuple[bool, str, float]:
    print(f"\n=== {name}: {command}", flush=True)
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    last = ""
    for line in proc.stdout:
        sys.stdout.write(line)
        stripped = line.strip()
        match = SUMMARY.match(stripped)
        if match:
            last = match.group(1)
        elif (
            stripped.startswith(("All checks passed", "Found "))
            or "files already formatted" in stripped
        ):
            last = stripped
    proc.wait()
    return proc.returncode == 0, last, time.perf_counter() - start


def main(argv: list[str]) -> int:
    results = []
    for arg in argv:
        name, _, command = arg.partition("=")
        results.append((name, *run(name, command)))
    print("\n=== summary")
    for name, ok, detail, seconds in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name:<22} {seconds:7.1f} s  {detail}")
    failed = [r[0] for r in results if not r[1]]
    print(f"steps: {len(results) - len(failed)} of {len(results)} passed")
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for _, _, detail, _ in results:
        for number, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)", detail):
            key = "failed" if word.startswith("error") else word
            counts[key] += int(number)
    if failed and counts["failed"] == 0:
        counts["failed"] = len(failed)  # a failed step that is not a test run counts once
    print(
        f"tests: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
