#!/bin/sh
# Runs the whole test suite three times: in build/, in build-asan/ (AddressSanitizer and
# UndefinedBehaviorSanitizer, any finding fatal) and in build/ under valgrind (`meson test
# --setup valgrind`: memory errors and leaks fail; the real-data tests are left out there).
# Ends with one line "N passed, N failed" counting all three runs. Run scripts/setup.sh
# first.
set -u
cd "$(dirname "$0")/.."

[ -f build-asan/build.ninja ] ||
    meson setup build-asan -Dwerror=true -Db_sanitize=address,undefined \
        -Db_lundef=false -Dc_args=-fno-sanitize-recover=all >/dev/null

status=0
meson test -C build --print-errorlogs || status=1
ninja -C build-asan >/dev/null || status=1
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    meson test -C build-asan --print-errorlogs || status=1
meson test -C build --setup valgrind --print-errorlogs || status=1

python3 - build/meson-logs/testlog.json build-asan/meson-logs/testlog.json \
    build/meson-logs/testlog-valgrind.json <<'PY'
import json, sys
passed = failed = 0
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                if r.get("result") in ("OK", "EXPECTEDFAIL", "SKIP"):
                    passed += 1
                else:
                    failed += 1
                    print("failed: %s (%s)" % (r.get("name"), path))
    except FileNotFoundError:
        failed += 1
        print("failed: no test log %s" % path)
print("%d passed, %d failed" % (passed, failed))
PY
exit $status
