#!/bin/sh
# The exe_wrapper of `meson test --setup valgrind`: runs a test program under valgrind
# (any memory error or leak makes it fail with status 99). A Python test runner is not
# itself run under valgrind; instead it gets the valgrind command in LF_EXEC_WRAPPER and
# puts it in front of every lexframe it starts (tests/golden.py, tests/cli_test.py,
# tests/errors_test.py).
# Tests with a time limit multiply it by LF_TIME_SCALE: valgrind runs code 20-50 times slower.
LF_TIME_SCALE=40
export LF_TIME_SCALE
vg="valgrind --suppressions=$(cd "$(dirname "$0")" && pwd)/valgrind.supp --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes"
case "$(basename "$1")" in
python*)
    LF_EXEC_WRAPPER=$vg
    export LF_EXEC_WRAPPER
    exec "$@" ;;
*)
    exec $vg "$@" ;;
esac
