/* test_ingest_realdata.c — stage 1 on the real transcripts in ../shared/data (when present):
 * every file under transcripts/ ingests without error, and four documents checked by hand
 * keep their speakers and turn counts. Prints the file and turn totals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "shared_data.h"
#include "ingest.h"

static char transcripts[4096];

typedef struct expected {
    const char *id; /* relative to transcripts/ */
    size_t speakers, turns;
    const char *labels[8]; /* speakers that must be present, with their turn counts */
    size_t label_turns[8];
    const char *first_text; /* start of the first turn's text */
} expected;

/* Counted by hand (grep of the label lines, then reading the file):
 * - the briefing: 60 "Q" + NBSP lines, 59 "MS. PSAKI:" (two written "MS.<NBSP> PSAKI:"),
 *   9 "MR. PORCARI:", one typo "MR. PSAKI:"; before the first label only the room name;
 * - the 1984 debate: 38 Ms. Walters., 34 The President., 27 Mr. Mondale., 13 Mr. Wieghart.,
 *   12 Ms. Sawyer., 10 Mr. Barnes.; Ms. Ridings speaks once (a lone mixed-case label is
 *   not trusted), so her introduction is the unattributed turn;
 * - the Congressional Record page: 17 senators/officers, 64 labeled turns + the header
 *   (11 ACTING PRESIDENT pro tempore, 7 CORNYN, 8 + 2 "(Mr. Cornyn)" PRESIDING OFFICER,
 *   9 PRESIDENT pro tempore, 4 DODD);
 * - the speech: "My fellow Americans:" is the salutation, no speaker at all. */
static const expected checked[] = {
    {"whitehouse-2021-2023/press-briefings/2022-01/2022-01-05-press-briefing-by-press-"
     "secretary-jen-psaki-and-port-envoy-to-the-white-house-supply-chain-task-force-john-"
     "porcari-january-5-2022.md",
     4, 130, {"Q", "MS. PSAKI", "MR. PORCARI", "MR. PSAKI"}, {60, 59, 9, 1},
     "James S. Brady Press Briefing Room"},
    {"millercenter-pre2015/data/1984-10-07-debate-walter-mondale-domestic-issues.txt", 6, 135,
     {"Ms. Walters", "The President", "Mr. Mondale", "Mr. Wieghart", "Ms. Sawyer",
      "Mr. Barnes"},
     {38, 34, 27, 13, 12, 10},
     "Ms. Ridings. I'm Dorothy Ridings"},
    {"congressional-record-2005-05-20/CREC-2005-05-20-pt1-PgS5551-8.htm", 17, 65,
     {"The ACTING PRESIDENT pro tempore", "Mr. CORNYN", "The PRESIDING OFFICER",
      "The PRESIDENT pro tempore", "Mr. DODD"},
     {11, 7, 10, 9, 4},
     "[Congressional Record Volume 151, Number 68 (Friday, May 20, 2005)]"},
    {"millercenter-pre2015/data/1983-09-05-speech-soviet-attack-korean-airliner.txt", 0, 1,
     {NULL},
     {0},
     "My fellow Americans:"},
};

static size_t turns_of(const lf_doc *d, const char *label)
{
    for (size_t s = 0; s < d->n_speakers; s++) {
        if (strcmp(d->speakers[s].label, label) != 0)
            continue;
        size_t n = 0;
        for (size_t t = 0; t < d->n_turns; t++)
            n += d->turns[t].speaker == (int32_t)s;
        return n;
    }
    fail_msg("no speaker '%s' in %s", label, d->id);
    return 0;
}

static void every_transcript_ingests(void **state)
{
    (void)state;
    lf_options opt;
    lf_options_init(&opt);
    lf_error err;
    lf_ingest *ing = lf_ingest_new(&opt, &err);
    assert_non_null(ing);
    lf_input_list in = {0};
    assert_int_equal(lf_input_collect(transcripts, &in, &err), LF_OK);
    assert_true(in.n > 3400);
    lf_doc doc;
    lf_doc_init(&doc);
    size_t turns = 0, labeled = 0, bytes = 0, matched = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < in.n; i++) {
        if (lf_ingest_file(ing, in.v[i].path, in.v[i].id, &doc, &err) != LF_OK)
            fail_msg("%s", err.message);
        turns += doc.n_turns;
        bytes += doc.len;
        for (size_t t = 0; t < doc.n_turns; t++) {
            labeled += doc.turns[t].speaker >= 0;
            /* Spans are ordered, inside the text and never empty. */
            const lf_turn *tu = &doc.turns[t];
            for (uint32_t k = 0; k < tu->span_count; k++) {
                lf_span sp = doc.spans[tu->span_first + k];
                assert_true(sp.start < sp.end && sp.end <= doc.len);
            }
        }
        for (size_t c = 0; c < sizeof checked / sizeof checked[0]; c++) {
            const expected *e = &checked[c];
            if (strcmp(in.v[i].id, e->id) != 0)
                continue;
            matched++;
            if (doc.n_speakers != e->speakers || doc.n_turns != e->turns)
                fail_msg("%s: %zu speakers, %zu turns (expected %zu, %zu)", e->id,
                         doc.n_speakers, doc.n_turns, e->speakers, e->turns);
            for (size_t l = 0; l < 8 && e->labels[l]; l++) {
                size_t n = turns_of(&doc, e->labels[l]);
                if (e->label_turns[l] && n != e->label_turns[l])
                    fail_msg("%s: %s has %zu turns, expected %zu", e->id, e->labels[l], n,
                             e->label_turns[l]);
            }
            lf_span sp = doc.spans[doc.turns[0].span_first];
            assert_true(doc.turns[0].span_count > 0);
            assert_memory_equal(doc.text + sp.start, e->first_text, strlen(e->first_text));
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(matched, sizeof checked / sizeof checked[0]);
    printf("# ingested %zu files, %.1f MB, %zu turns (%zu labeled) in %.2f s\n", in.n,
           (double)bytes / 1e6, turns, labeled,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    lf_doc_free(&doc);
    lf_input_list_free(&in);
    lf_ingest_free(ing);
}

int main(void)
{
    const char *data = lf_test_shared_data();
    struct stat st;
    if (!data || snprintf(transcripts, sizeof transcripts, "%s/transcripts", data) >=
                     (int)sizeof transcripts ||
        stat(transcripts, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("skipped: ../shared/data not present\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_transcript_ingests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
