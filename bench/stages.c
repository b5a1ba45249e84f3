/* stages.c — where single-thread time goes: runs the pipeline over a corpus stopping after
 * each stage in turn (read the files; + ingest; + tokenize; + match; + count into the
 * report tables) and prints the CPU seconds of each, so that bench/run.sh can report every
 * stage as a ratio to the floor. Rendering is what `lexframe report` adds to "count".
 * Default options (lf_options_init), one thread; each level is timed REPEAT times in
 * rotation and the best kept, so the load of a shared machine falls on all alike.
 * Usage: stages [--only LEVEL] LEXICON_PATH FILE_OR_DIR...   (prints "level seconds" lines;
 * --only runs that level alone, for a profiler) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggregate.h"
#include "ingest.h"
#include "lexframe.h"
#include "match.h"
#include "tokenize.h"

enum { L_READ, L_INGEST, L_TOKENIZE, L_MATCH, L_COUNT, N_LEVELS };
static const char *const level_names[N_LEVELS] = {"read", "ingest", "tokenize", "match",
                                                  "count"};
#define REPEAT 3

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const lf_error *err)
{
    fprintf(stderr, "stages: %s\n", err->message);
    exit(1);
}

/* Reads every file whole (what the floor does), returning a checksum so the work stays. */
static unsigned long read_all(const lf_input_list *in)
{
    static char buf[1 << 20];
    unsigned long sum = 0;
    for (size_t i = 0; i < in->n; i++) {
        FILE *fp = fopen(in->v[i].path, "rb");
        if (!fp) {
            perror(in->v[i].path);
            exit(1);
        }
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
            sum += (unsigned char)buf[n - 1];
        fclose(fp);
    }
    return sum;
}

/* Where the read level keeps its checksum, so that the reads are not optimized away. */
volatile unsigned long read_sum;

/* One pass over the corpus up to and including `level`. */
static void run_level(int level, const lf_input_list *in, const lf_lexicon *lex,
                      const lf_options *opt)
{
    if (level == L_READ) {
        read_sum = read_all(in);
        return;
    }
    lf_error err;
    lf_ingest *ing = lf_ingest_new(opt, &err);
    if (!ing)
        die(&err);
    lf_ingest_set_warnings(ing, NULL);
    lf_vocab *v = lf_vocab_new();
    lf_matcher *m = lf_matcher_new(lex, opt, v, &err);
    if (!m)
        die(&err);
    lf_tables *t = lf_tables_new_opts(lex, opt);
    lf_doc doc;
    lf_doc_init(&doc);
    lf_tokens toks;
    lf_tokens_init(&toks);
    lf_matches ms;
    lf_matches_init(&ms);
    for (size_t i = 0; i < in->n; i++) {
        lf_status st = lf_ingest_input(ing, &in->v[i], &doc, &err);
        while (st == LF_OK) {
            if (level >= L_TOKENIZE)
                st = lf_tokenize_doc(v, &doc, opt, &toks, &err);
            if (st == LF_OK && level >= L_MATCH)
                st = lf_match_doc(m, &doc, &toks, &ms, &err);
            if (st == LF_OK && level >= L_COUNT)
                lf_tables_add_doc(t, &doc, &toks, &ms);
            if (st != LF_OK || !doc.more_parts)
                break;
            st = lf_ingest_next_part(ing, &doc, &err);
        }
        if (st != LF_OK)
            die(&err);
    }
    lf_matches_free(&ms);
    lf_tokens_free(&toks);
    lf_doc_free(&doc);
    lf_tables_free(t);
    lf_matcher_free(m);
    lf_vocab_free(v);
    lf_ingest_free(ing);
}

int main(int argc, char **argv)
{
    int only = -1;
    if (argc > 2 && strcmp(argv[1], "--only") == 0) {
        for (int l = 0; l < N_LEVELS; l++)
            if (strcmp(argv[2], level_names[l]) == 0)
                only = l;
        if (only < 0) {
            fprintf(stderr, "stages: unknown level '%s'\n", argv[2]);
            return 2;
        }
        argv += 2;
        argc -= 2;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: stages [--only LEVEL] LEXICON_PATH FILE_OR_DIR...\n");
        return 2;
    }
    lf_options opt;
    lf_options_init(&opt);
    lf_error err;
    lf_lexicon *lex = lf_lexicon_new();
    if (lf_lexicon_load(lex, argv[1], &opt, &err) != LF_OK)
        die(&err);
    lf_input_list in = {0};
    for (int a = 2; a < argc; a++)
        if (lf_input_collect_opt(argv[a], &opt, &in, &err) != LF_OK)
            die(&err);
    double best[N_LEVELS];
    for (int l = 0; l < N_LEVELS; l++)
        best[l] = -1;
    for (int r = 0; r < REPEAT; r++)
        for (int l = 0; l < N_LEVELS; l++) {
            if (only >= 0 && l != only)
                continue;
            double t0 = cpu_seconds();
            run_level(l, &in, lex, &opt);
            double s = cpu_seconds() - t0;
            if (best[l] < 0 || s < best[l])
                best[l] = s;
        }
    for (int l = 0; l < N_LEVELS; l++)
        if (only < 0 || l == only)
            printf("%s %.3f\n", level_names[l], best[l]);
    lf_input_list_free(&in);
    lf_lexicon_free(lex);
    return 0;
}
