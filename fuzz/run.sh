#!/bin/sh
# fuzz/run.sh — builds the libFuzzer targets (clang, ASan+UBSan, any finding fatal) in
# build-fuzz/ and runs each for a fixed time, then prints per target the executions, the
# corpus size and the findings (crash-, leak-, timeout-, oom- files in
# build-fuzz/fuzz-findings/TARGET/). Exit status 1 when anything was found.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      (default 60 s, every target)
#
# Seed corpora are made at run time in build-fuzz/fuzz-corpus/TARGET: our own seeds
# (fuzz/seeds/TARGET), the regression inputs (fuzz/regressions/TARGET) and, when the
# real data exists ($LF_SHARED_DATA, default ../shared/data), the first KiBs of real
# transcripts, Congressional Record pages, TEI files, dictionaries of each format and native
# lexicons made from real word lists. The real
# files are read there and never copied into the source tree. The corpus grows across
# runs; delete build-fuzz/fuzz-corpus to start again.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-transcript_text transcript_html transcript_tei transcript_jsonl tokenize partial
lexicon_native lexicon_liwc lexicon_dicx lexicon_inquirer lexicon_lc3 lexicon_ykd lexicon_cat
lexicon_yaml lexicon_wordlist lexicon_scored}
data=${LF_SHARED_DATA:-$root/../shared/data}
out=build-fuzz

if [ ! -f $out/build.ninja ]; then
    CC=clang meson setup $out -Dfuzzing=true -Db_sanitize=address,undefined \
        -Db_lundef=false -Dc_args=-fno-sanitize-recover=all >/dev/null
fi
ninja -C $out >/dev/null

# Up to $2 files below $1 matching $3, evenly spread over the sorted list.
pick() {
    find "$1" -type f -name "$3" 2>/dev/null | LC_ALL=C sort |
        awk -v n="$2" '{ f[NR] = $0 } END { if (NR == 0) exit;
            step = NR / n; if (step < 1) step = 1;
            for (i = 1; i <= NR && c < n; i += step) { print f[int(i)]; c++ } }'
}

# Seeds from real files: the first $3 bytes of each picked file.
seed_real() { # corpus-dir dir count bytes glob
    pick "$2" "$3" "$5" | while read -r f; do
        head -c "$4" "$f" > "$1/real-$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
    done
}

# Native lexicons made from real word lists: one theme per list, entries as written
# (multi-word, apostrophes, misspellings), AFINN scores as weights.
seed_lexicons() { # corpus-dir
    for f in "$data"/lexicons/hu-liu/*; do
        [ -f "$f" ] || continue
        { echo "@theme hu_liu.$(basename "$f" | tr -c 'a-z0-9\n' '_' | tr -d '\n')"
          grep -v '^;' "$f" | sed -n '1,400p'; } > "$1/real-$(basename "$f").lexicon"
    done
    for f in "$data"/lexicons/afinn/*; do
        [ -f "$f" ] || continue
        { echo "@theme afinn"; echo "negation: separate"
          awk -F'\t' 'NF == 2 && NR <= 400 { printf "%s {weight=%s}\n", $1, $2 }' "$f"; } \
            > "$1/real-$(basename "$f").lexicon"
    done
    # the foreign formats too: their lines are what users will feed the native reader
    seed_real_lexicons "$1" '*'
}

# Real dictionaries of one format (by file name pattern), the first 8 KiB of each. The
# restricted Lexicoder dictionaries are left out even here; quanteda's test fixtures
# cover their formats.
seed_real_lexicons() { # corpus-dir glob
    for d in "$data/lexicons" "$data/dictionaries-quanteda-tests"; do
        find "$d" -type f -iname "$2" ! -path '*lexicoder-*' ! -name 'SOURCES.md' \
            2>/dev/null | LC_ALL=C sort | while read -r f; do
            head -c 8192 "$f" > "$1/real-$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
        done
    done
}

status=0
printf '%-18s %12s %8s %8s %s\n' target executions seconds corpus findings
for t in $targets; do
    corpus=$out/fuzz-corpus/$t
    findings=$out/fuzz-findings/$t
    mkdir -p "$corpus" "$findings"
    # findings of earlier runs move aside: what is listed below is this run's
    if [ -n "$(find "$findings" -maxdepth 1 -type f 2>/dev/null)" ]; then
        old=$findings/earlier-$(date +%Y%m%d-%H%M%S)
        mkdir -p "$old"
        find "$findings" -maxdepth 1 -type f -exec mv {} "$old"/ \;
    fi
    for d in fuzz/seeds/$t fuzz/regressions/$t; do
        [ -d "$d" ] && cp "$d"/* "$corpus"/ 2>/dev/null || true
    done
    dict=
    if [ -d "$data" ]; then
        case $t in
        transcript_text|tokenize)
            seed_real "$corpus" "$data/transcripts" 150 4096 '*.txt'
            seed_real "$corpus" "$data/seed" 1 4096 '*.txt' ;;
        transcript_html)
            seed_real "$corpus" "$data/transcripts/congressional-record-2005-05-20" 23 8192 '*.htm' ;;
        transcript_tei)
            seed_real "$corpus" "$data/tei" 40 8192 '*.xml' ;;
        transcript_jsonl) # real transcripts as JSON Lines records, with their front matter
            pick "$data/transcripts" 60 '*.txt' | python3 -c '
import json, sys, zlib
for path in sys.stdin.read().split("\n"):
    if path:
        text = open(path, "rb").read(3000).decode("utf-8", "replace")
        rec = json.dumps({"id": path.rsplit("/", 1)[-1], "desk": "real", "text": text})
        open(sys.argv[1] + "/real-%d" % zlib.crc32(path.encode()), "w").write(rec)
' "$corpus" ;;
        lexicon_native) seed_lexicons "$corpus" ;;
        lexicon_liwc) seed_real_lexicons "$corpus" '*.dic' ;;
        lexicon_inquirer) seed_real_lexicons "$corpus" '*.csv' ;;
        lexicon_lc3) seed_real_lexicons "$corpus" '*.lc3' ;;
        lexicon_ykd) seed_real_lexicons "$corpus" '*.ykd'
            seed_real_lexicons "$corpus" '*.lcd' ;;
        lexicon_cat) seed_real_lexicons "$corpus" '*.cat' ;;
        lexicon_yaml) seed_real_lexicons "$corpus" '*.yml' ;;
        lexicon_wordlist) seed_real_lexicons "$corpus" '*.txt' ;;
        lexicon_scored) seed_real_lexicons "$corpus" '*.tsv'
            seed_real_lexicons "$corpus" 'vader_lexicon.txt' ;;
        esac
    fi
    case $t in
    transcript_tei|lexicon_ykd) dict=fuzz/xml.dict ;;
    transcript_jsonl) dict=fuzz/jsonl.dict ;;
    partial) dict=fuzz/partial.dict ;;
    transcript_*|tokenize) dict=fuzz/transcript.dict ;;
    lexicon_native) dict=fuzz/lexicon_native.dict; cp lexicons/*.lexicon "$corpus"/ ;;
    lexicon_*) dict=fuzz/lexicon_formats.dict ;;
    esac
    log=$out/fuzz-$t.log
    set +e
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        $out/fuzz/fuzz_$t "$corpus" -max_total_time="$secs" -max_len=8192 -timeout=10 \
        -rss_limit_mb=2048 -dict="$dict" -artifact_prefix="$findings/" \
        -print_final_stats=1 >"$log" 2>&1
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    n=$(find "$corpus" -type f | wc -l)
    found=$(find "$findings" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
        -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)
    printf '%-18s %12s %8s %8s %s\n' "$t" "${execs:-?}" "$secs" "$n" "$found"
    if [ "$found" -gt 0 ] || [ -z "$execs" ]; then
        status=1
        find "$findings" -maxdepth 1 -type f | sed 's/^/    /'
        echo "    log: $log"
    fi
done
exit $status
