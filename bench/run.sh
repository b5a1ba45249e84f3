#!/bin/sh
# lexframe's throughput benchmark. Builds a corpus of SIZE_MB (default 200) from
# ../shared/data/transcripts (replicated, shuffled), then times in one run:
#   the floor   bench/floor.c: split ASCII words + one hash lookup each (no Unicode, no
#               sentences, no phrases, no output) — the least any tagger can do;
#   lexframe    tag and report, with our lexicon and with a 50,000-entry lexicon, on one
#               thread and on all cores; lexicon load times; regex cost per entry; and the
#               single-thread time up to each pipeline stage (bench/stages.c).
# Prints MB/s, the ratio to the floor (measured in the same run, because these machines are
# shared and noisy), thread speed-up, and peak RSS.
# Then peak RSS of report at a second size (RSS_MB, default 5 x SIZE_MB).
# Usage: [RSS_MB=N] bench/run.sh [SIZE_MB] [WORK_DIR]     (WORK_DIR default /tmp/lfbench)
set -eu
cd "$(dirname "$0")/.."
size=${1:-200}
work=${2:-/tmp/lfbench}
mkdir -p "$work"

[ -f build-release/build.ninja ] ||
    meson setup build-release --buildtype=release -Db_ndebug=true -Db_lto=true >/dev/null
ninja -C build-release >/dev/null
lf=build-release/lexframe
cc -O2 -o "$work/floor" bench/floor.c

python3 bench/make_corpus.py "$size" "$work/corpus"
[ -f "$work/big.lexicon" ] || python3 bench/make_lexicon.py "$work/corpus" "$work/big.lexicon" 50000
# The floor looks up the plain single words of the same lexicon.
grep -h -v -e '^[[:space:]]*[#@!/]' -e ':' lexicons/*.lexicon |
    sed 's/[[:space:]]*#.*//; s/[[:space:]]*{.*//' | awk 'NF == 1 && $1 !~ /[*?]/ { print tolower($1) }' \
        >"$work/floor-words.txt"
bytes=$(find "$work/corpus" -name 'doc*' -type f -exec cat {} + | wc -c)
mb=$(echo "$bytes" | awk '{ printf "%.1f", $1 / 1e6 }')
empty="$work/empty.txt"
: >"$empty"

# reads the corpus once so that the next timed run finds it in the page cache: on these
# VMs the host reclaims the guest's cache between runs, and a run that reads part of the
# corpus from disk (seen: 12% of report's samples in virtio's iowrite16) is noise
warm() { find "$work/corpus" -name 'doc*' -type f -exec cat {} + >/dev/null; }

# runs a command 3 times, prints the best wall time in seconds and the peak RSS in MiB
timed() {
    best=""
    rss=0
    for i in 1 2 3; do
        warm
        /usr/bin/time -f "%e %M" -o "$work/time.out" "$@" >/dev/null 2>"$work/stderr.out" || {
            cat "$work/stderr.out" >&2
            echo "command failed: $*" >&2
            exit 1
        }
        read -r t m <"$work/time.out"
        if [ -z "$best" ] || [ "$(echo "$t $best" | awk '{ print ($1 < $2) }')" = 1 ]; then
            best=$t
        fi
        [ "$m" -gt "$rss" ] && rss=$m
    done
    echo "$best $((rss / 1024))"
}

row() { # label seconds rss
    echo "$1 $2 $3 $mb $floor_s" | awk '{ label = $1; gsub(/_/, " ", label);
        printf "%-44s %7.2f s %8.1f MB/s %6.2fx floor %6d MiB\n", label, $2, $4 / $2, $5 / $2, $3 }'
}

echo "corpus: $mb MB in $(ls "$work/corpus" | wc -l) files; $(nproc) cores"
set -- $(timed "$work/floor" "$work/floor-words.txt" "$work"/corpus/doc*)
floor_s=$1
row floor:_split_+_hash_lookup "$1" "$2"

jobs_opt=""
if $lf --help | grep -q -- '--jobs'; then jobs_opt="-j 1"; fi
# the target's ratio from pairs: the floor and report -j 1 one after the other, 5 times, so
# that each ratio divides two runs made under the same load of the machine; the median of
# the 5 ratios, and their range
: >"$work/pairs.out"
for i in 1 2 3 4 5; do
    warm
    /usr/bin/time -f "%e" -o "$work/time.out" \
        "$work/floor" "$work/floor-words.txt" "$work"/corpus/doc* >/dev/null
    read -r f <"$work/time.out"
    /usr/bin/time -f "%e" -o "$work/time.out" \
        $lf report $jobs_opt -l lexicons -o "$work/out" "$work/corpus" >/dev/null
    read -r r <"$work/time.out"
    echo "$f $r" | awk '{ printf "%.4f %s %s\n", $1 / $2, $1, $2 }' >>"$work/pairs.out"
done
sort -n "$work/pairs.out" | awk '{ q[NR] = $1; f[NR] = $2; r[NR] = $3 }
    END { printf "report, 1 thread, against the floor run just before it (5 pairs): %.2fx " \
          "median (floor %.2f s, report %.2f s), %.2fx-%.2fx\n", q[3], f[3], r[3], q[1], q[5] }'
set -- $(timed $lf tag $jobs_opt -l lexicons "$work/corpus")
row lexframe_tag,_our_lexicon,_1_thread "$1" "$2"
set -- $(timed $lf report $jobs_opt -l lexicons -o "$work/out" "$work/corpus")
row lexframe_report,_our_lexicon,_1_thread "$1" "$2"
report1=$1
set -- $(timed $lf report $jobs_opt -l "$work/big.lexicon" -o "$work/out-big" "$work/corpus")
row lexframe_report,_50k_lexicon,_1_thread "$1" "$2"
big1=$1
if [ -n "$jobs_opt" ]; then
    set -- $(timed $lf report -l lexicons -o "$work/out-j" "$work/corpus")
    row "lexframe_report,_our_lexicon,_$(nproc)_threads" "$1" "$2"
    # thread scaling: -j 1 and -j N alternately, 5 times each, so that the load of a shared
    # machine falls on both alike; the ratio of the medians and of the best times
    : >"$work/scaling.out"
    for i in 1 2 3 4 5; do
        for j in 1 "$(nproc)"; do
            warm
            /usr/bin/time -f "$j %e" -a -o "$work/scaling.out" \
                $lf report -j "$j" -l lexicons -o "$work/out-s$j" "$work/corpus" >/dev/null
        done
    done
    sort -k1,1n -k2,2n "$work/scaling.out" | awk -v n="$(nproc)" '
        { t[$1, ++c[$1]] = $2 }
        END { printf "speed-up on %d threads (report, 5 alternating runs each): %.2fx median " \
              "(%.2f s vs %.2f s), %.2fx best\n", n, t[1, 3] / t[n, 3], t[1, 3], t[n, 3],
              t[1, 1] / t[n, 1] }'
    # what the machine itself gives: the floor over the whole corpus in one process, and
    # over its two halves in two processes at once (no shared data, no locks); and the same
    # for lexframe report -j 1 (the halves as directories of links), against -j 2 in one
    # process. On a VM whose cores are hyperthreads or are shared with other guests these
    # are below 2, and -j 2 can only be compared with them.
    if [ "$(nproc)" -ge 2 ]; then
        ls "$work"/corpus/doc* | awk 'NR % 2' >"$work/half1.txt"
        ls "$work"/corpus/doc* | awk '!(NR % 2)' >"$work/half2.txt"
        for h in 1 2; do
            rm -rf "$work/half$h.d"
            mkdir "$work/half$h.d"
            xargs ln -s -t "$work/half$h.d" <"$work/half$h.txt"
        done
        : >"$work/machine.out"
        for i in 1 2 3 4 5; do
            warm
            /usr/bin/time -f "1 %e" -a -o "$work/machine.out" \
                "$work/floor" "$work/floor-words.txt" "$work"/corpus/doc* >/dev/null
            /usr/bin/time -f "2 %e" -a -o "$work/machine.out" sh -c '
                xargs "$1" "$2" <"$3" >/dev/null & xargs "$1" "$2" <"$4" >/dev/null & wait' \
                sh "$work/floor" "$work/floor-words.txt" "$work/half1.txt" "$work/half2.txt"
            /usr/bin/time -f "3 %e" -a -o "$work/machine.out" \
                $lf report -j 2 -l lexicons -o "$work/out-m2" "$work/corpus" >/dev/null
            /usr/bin/time -f "4 %e" -a -o "$work/machine.out" sh -c '
                "$1" report -j 1 -l lexicons -o "$2/out-h1" "$2/half1.d" >/dev/null &
                "$1" report -j 1 -l lexicons -o "$2/out-h2" "$2/half2.d" >/dev/null & wait' \
                sh "$lf" "$work"
        done
        sort -k1,1n -k2,2n "$work/machine.out" | awk -v r1="$(sort -k1,1n -k2,2n "$work/scaling.out" |
            awk '$1 == 1 { t[++n] = $2 } END { print t[3] }')" '
            { t[$1, ++c[$1]] = $2 }
            END { printf "machine baseline: the floor on 2 processes at once (5 alternating runs " \
                  "each): %.2fx median, %.2fx best\n", t[1, 3] / t[2, 3], t[1, 1] / t[2, 1]
                  printf "lexframe report -j 1 on each half in 2 processes at once: %.2f s " \
                  "median, %.2fx the -j 1 median above; -j 2 in one process, alongside: " \
                  "%.2f s median, %.2fx\n", t[4, 3], r1 / t[4, 3], t[3, 3], r1 / t[3, 3] }'
    fi
    if cmp -s "$work/out/frequencies.csv" "$work/out-j/frequencies.csv" &&
        cmp -s "$work/out/matches.tsv" "$work/out-j/matches.tsv" &&
        cmp -s "$work/out/tables.json" "$work/out-j/tables.json"; then
        echo "output with 1 and $(nproc) threads: byte-identical"
    else
        echo "output with 1 and $(nproc) threads: DIFFERENT"
    fi
fi
# where one thread's time goes: bench/stages.c runs the pipeline stopping after each stage
# (CPU seconds, best of 3, cumulative); writing the report files is what report adds to "count"
echo "single-thread stages, cumulative (CPU s; default options; the rest of report is output):"
build-release/stages lexicons "$work/corpus" | awk -v f="$floor_s" -v mb="$mb" '
    { printf "  up to %-9s %6.2f s %8.1f MB/s %6.2fx floor\n", $1, $2, mb / $2, f / $2 }'
echo "50k-entry lexicon costs $(echo "$big1 $report1" | awk '{ printf "%.2f", $1 / $2 }')x the time of ours"

# lexicon load: an empty input, so the time is loading and compiling the lexicon
set -- $(timed $lf tag -l "$work/big.lexicon" "$empty")
echo "load 50,000-entry lexicon: $1 s ($2 MiB)"
set -- $(timed $lf tag -l lexicons "$empty")
echo "load our lexicon: $1 s"

# regex cost: our lexicon without regexes, and with 10 and 40 extra regex entries of the
# kind analysts write — a common word, a gap, a key word — which the prefilter cannot skip
# on most sentences (every one holding "the")
grep -v -e '^[[:space:]]*/' -e '^[[:space:]]*!/' lexicons/framing.lexicon >"$work/noregex.lexicon"
nre=$(grep -c -e '^[[:space:]]*/' -e '^[[:space:]]*!/' lexicons/framing.lexicon || true)
set -- $(timed $lf tag $jobs_opt -l "$work/noregex.lexicon" "$work/corpus")
t0=$1
for extra in 10 40; do
    cp "$work/noregex.lexicon" "$work/rx$extra.lexicon"
    printf '\n@theme bench_regex\n' >>"$work/rx$extra.lexicon"
    i=0
    for key in people government president world country state time year week health \
        security economy policy support plan work question issue point way; do
        [ $i -lt $extra ] || break
        printf '/\\bthe (?:\\w+ ){0,2}%s\\b/\n' "$key" >>"$work/rx$extra.lexicon"
        printf '/\\b%s(?:s|ed|ing)? (?:of|to|for) the\\b/\n' "$key" >>"$work/rx$extra.lexicon"
        i=$((i + 2))
    done
    set -- $(timed $lf tag $jobs_opt -l "$work/rx$extra.lexicon" "$work/corpus")
    echo "$extra regex entries: $1 s vs $t0 s without; $(echo "$1 $t0 $extra $mb" |
        awk '{ printf "%.1f ms per regex entry per 100 MB", ($1 - $2) * 1000 / $3 * 100 / $4 }')"
done
echo "(our lexicon has $nre regex entries)"

# peak memory at a second corpus size (RSS_MB, default 5 x SIZE_MB; 0 skips it). With the
# default groupings the tables hold a row per document, which grows with the corpus; grouped
# by speaker only, nothing does, and the peak should stay where it is.
rss_mb=${RSS_MB:-$((size * 5))}
if [ "$rss_mb" -gt 0 ]; then
    python3 bench/make_corpus.py "$rss_mb" "$work/corpus-rss"
    for c in corpus corpus-rss; do
        c_mb=$(find "$work/$c" -name 'doc*' -type f -exec cat {} + | wc -c |
            awk '{ printf "%.0f", $1 / 1e6 }')
        for by in "" "--by speaker"; do
            /usr/bin/time -f "%e %M" -o "$work/time.out" \
                $lf report -j 1 $by -l lexicons -o "$work/out-rss" "$work/$c" >/dev/null
            read -r t m <"$work/time.out"
            printf "report -j 1 %-12s on %5s MB (%5d files): %6.2f s, peak RSS %4d MiB, report files %s\n" \
                "${by:-(default)}" "$c_mb" "$(ls "$work/$c" | wc -l)" "$t" $((m / 1024)) \
                "$(du -sh "$work/out-rss" | cut -f1)"
        done
    done
fi
