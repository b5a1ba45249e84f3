/* test_tei_realdata.c — the TEI reader on the real files in ../shared/data/tei (when
 * present): every file there is read; on the ParlaMint-GB day files every utterance's
 * speaker id and role match the *-meta*.tsv beside them; on the Parla-CLARIN exemplar the
 * names and parties come from its header and the interrupted utterance is one speaker's;
 * in the play every speech is attributed to the speakers its @who names. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest.h"
#include "shared_data.h"

static char tei_dir[4096];

typedef struct reader {
    lf_options opt;
    lf_ingest *ing;
    lf_doc doc;
    lf_error err;
} reader;

static reader *reader_new(void)
{
    reader *r = calloc(1, sizeof *r);
    assert_non_null(r);
    lf_options_init(&r->opt);
    r->ing = lf_ingest_new(&r->opt, &r->err);
    assert_non_null(r->ing);
    lf_ingest_set_warnings(r->ing, NULL); /* the sample lacks the person list on purpose */
    lf_doc_init(&r->doc);
    return r;
}

static void reader_free(reader *r)
{
    lf_doc_free(&r->doc);
    lf_ingest_free(r->ing);
    free(r);
}

/* Reads the input found by a walk of the tei directory whose id is `id`. */
static void read_id(reader *r, const lf_input_list *in, const char *id)
{
    for (size_t i = 0; i < in->n; i++) {
        if (strcmp(in->v[i].id, id) != 0)
            continue;
        if (lf_ingest_input(r->ing, &in->v[i], &r->doc, &r->err) != LF_OK)
            fail_msg("%s", r->err.message);
        assert_false(r->doc.more_parts);
        return;
    }
    fail_msg("no input %s", id);
}

static const lf_speaker *speaker_of(reader *r, size_t turn)
{
    int32_t s = r->doc.turns[turn].speaker;
    if (s < 0)
        fail_msg("%s: turn %zu has no speaker", r->doc.id, turn + 1);
    return &r->doc.speakers[s];
}

static void every_file_is_read(void **state)
{
    (void)state;
    lf_input_list in = {0};
    lf_error err;
    assert_int_equal(lf_input_collect(tei_dir, &in, &err), LF_OK);
    /* the corpus root, its taxonomy and the play's README are not documents */
    const char *want[] = {"parla-clarin-exemplar/Parla-CLARIN-Exemplar.xml",
                          "parlamint-gb-sample/2017/ParlaMint-GB_2017-09-07-commons.xml",
                          "parlamint-gb-sample/2022/ParlaMint-GB_2022-07-21-commons.xml",
                          "tei-drama-julius-caesar/julius-caesar.xml"};
    assert_int_equal(in.n, 4);
    reader *r = reader_new();
    size_t turns = 0;
    for (size_t i = 0; i < in.n; i++) {
        assert_string_equal(in.v[i].id, want[i]);
        read_id(r, &in, want[i]);
        assert_true(r->doc.n_turns > 0);
        turns += r->doc.n_turns;
    }
    /* the day files know their corpus root */
    assert_null(in.v[0].corpus_root);
    assert_non_null(in.v[1].corpus_root);
    assert_non_null(strstr(in.v[1].corpus_root, "ParlaMint-GB.xml"));
    printf("# read %zu TEI documents, %zu turns\n", in.n, turns);
    reader_free(r);
    lf_input_list_free(&in);
}

/* Splits a TSV line in place into at most max fields. */
static size_t split_tabs(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    char *nl = strpbrk(fields[n - 1], "\r\n");
    if (nl)
        *nl = '\0';
    return n;
}

static int column(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    fail_msg("no column %s", name);
    return -1;
}

/* ParlaMint's roles as the metadata files name them are the taxonomy's terms. */
static void parlamint_matches_meta_tsv(void **state)
{
    (void)state;
    lf_input_list in = {0};
    lf_error err;
    assert_int_equal(lf_input_collect(tei_dir, &in, &err), LF_OK);
    reader *r = reader_new();
    const char *days[][2] = {
        {"parlamint-gb-sample/2017/ParlaMint-GB_2017-09-07-commons.xml",
         "parlamint-gb-sample/2017/ParlaMint-GB_2017-09-07-commons-meta-en.tsv"},
        {"parlamint-gb-sample/2022/ParlaMint-GB_2022-07-21-commons.xml",
         "parlamint-gb-sample/2022/ParlaMint-GB_2022-07-21-commons-meta.tsv"},
    };
    size_t checked = 0;
    for (size_t d = 0; d < 2; d++) {
        read_id(r, &in, days[d][0]);
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", tei_dir, days[d][1]);
        FILE *fp = fopen(path, "r");
        assert_non_null(fp);
        char line[8192], *names[64], *fields[64];
        assert_non_null(fgets(line, sizeof line, fp));
        char header[8192];
        memcpy(header, line, sizeof line);
        size_t nn = split_tabs(header, names, 64);
        int c_id = column(names, nn, "ID"), c_spk = column(names, nn, "Speaker_ID"),
            c_role = column(names, nn, "Speaker_role"), c_date = column(names, nn, "Date"),
            c_term = column(names, nn, "Term");
        size_t rows = 0;
        while (fgets(line, sizeof line, fp)) {
            size_t nf = split_tabs(line, fields, 64);
            assert_int_equal(nf, nn);
            /* the row's utterance is the turn with that xml:id, in order */
            assert_true(rows < r->doc.n_turns);
            const lf_turn *t = &r->doc.turns[rows];
            assert_string_equal(t->xml_id, fields[c_id]);
            assert_string_equal(speaker_of(r, rows)->label, fields[c_spk]);
            assert_non_null(t->role);
            assert_string_equal(t->role, fields[c_role]);
            assert_string_equal(r->doc.date, fields[c_date]);
            for (size_t m = 0; m < r->doc.n_meta; m++)
                if (strcmp(r->doc.meta[m].key, "term") == 0)
                    assert_string_equal(r->doc.meta[m].value, fields[c_term]);
            rows++;
            checked++;
        }
        fclose(fp);
        assert_int_equal(rows, r->doc.n_turns);
    }
    assert_int_equal(checked, 8);
    reader_free(r);
    lf_input_list_free(&in);
}

static void exemplar_header_and_interruption(void **state)
{
    (void)state;
    lf_input_list in = {0};
    lf_error err;
    assert_int_equal(lf_input_collect(tei_dir, &in, &err), LF_OK);
    reader *r = reader_new();
    read_id(r, &in, "parla-clarin-exemplar/Parla-CLARIN-Exemplar.xml");
    const lf_doc *d = &r->doc;
    assert_string_equal(d->title, "Exemplar to illustrate Parla-CLARIN encoding");
    assert_string_equal(d->date, "2011-06-10");
    assert_int_equal(d->n_turns, 7);
    static const struct {
        const char *label, *name, *party, *role, *section;
    } want[] = {
        {"KučanMilan", "Kučan, Milan", NULL, "Chairperson", NULL},
        {"KučanMilan", "Kučan, Milan", NULL, "Chairperson", "THIRD AMENDMENT"},
        /* on 2011-06-10 John Doe's affiliation from 1991-05-08 holds, not the one that
           ended then */
        {"JohnDoe1960", "John, Doe", "party.DZ", NULL, "THIRD AMENDMENT"},
        {"KučanMilan", "Kučan, Milan", NULL, "Chairperson", "THIRD AMENDMENT"},
        {"JohnsonBoris1964", "Johnson, Boris", NULL, NULL, "BREXIT"},
        {"CorbynJeremy1949", "Corbyn, Jeremy Bernard", NULL, NULL, "BREXIT"},
        {"JohnsonBoris1964", "Johnson, Boris", NULL, NULL, "BREXIT"},
    };
    for (size_t i = 0; i < d->n_turns; i++) {
        const lf_speaker *s = speaker_of(r, i);
        assert_string_equal(s->label, want[i].label);
        assert_string_equal(s->name, want[i].name);
        if (want[i].party)
            assert_string_equal(s->party, want[i].party);
        else
            assert_null(s->party);
        if (want[i].role)
            assert_string_equal(d->turns[i].role, want[i].role);
        else
            assert_null(d->turns[i].role);
        if (want[i].section)
            assert_string_equal(d->turns[i].section, want[i].section);
        else
            assert_null(d->turns[i].section);
    }
    /* the interrupted utterance: both parts are Johnson's, the second continues the first,
       and Corbyn's interjection between them is his own turn */
    assert_string_equal(d->turns[4].xml_id, "GB001.8.3");
    assert_string_equal(d->turns[6].xml_id, "GB001.8.5");
    assert_int_equal(d->turns[4].speaker, d->turns[6].speaker);
    assert_string_equal(d->turns[6].continues, "GB001.8.3");
    assert_null(d->turns[5].continues);
    assert_true(d->turns[5].speaker != d->turns[4].speaker);
    reader_free(r);
    lf_input_list_free(&in);
}

/* The @who of every <sp> in the file, in order, read without the TEI reader. */
static size_t sp_whos(const char *path, char ***out)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    LF_VEC(char *) v = {0};
    char line[16384];
    while (fgets(line, sizeof line, fp)) {
        char *sp = strstr(line, "<sp ");
        if (!sp)
            continue;
        char *who = strstr(sp, "who=\"");
        assert_non_null(who);
        who += 5;
        char *end = strchr(who, '"');
        assert_non_null(end);
        lf_buf b = {0};
        for (char *p = who; p < end; p++)
            if (*p != '#')
                lf_buf_putc(&b, *p);
        LF_VEC_PUSH(v, (char *)lf_buf_cstr(&b));
    }
    fclose(fp);
    *out = v.v;
    return v.n;
}

static void play_speeches_attributed(void **state)
{
    (void)state;
    lf_input_list in = {0};
    lf_error err;
    assert_int_equal(lf_input_collect(tei_dir, &in, &err), LF_OK);
    reader *r = reader_new();
    read_id(r, &in, "tei-drama-julius-caesar/julius-caesar.xml");
    char path[4200];
    snprintf(path, sizeof path, "%s/tei-drama-julius-caesar/julius-caesar.xml", tei_dir);
    char **whos;
    size_t n = sp_whos(path, &whos);
    assert_int_equal(n, 796);
    assert_int_equal(r->doc.n_turns, n);
    for (size_t i = 0; i < n; i++) {
        const lf_speaker *s = speaker_of(r, i);
        if (strcmp(s->label, whos[i]) != 0)
            fail_msg("speech %zu: %s, expected %s", i + 1, s->label, whos[i]);
        assert_true(s->name && *s->name);
        assert_true(r->doc.turns[i].span_count > 0);
        free(whos[i]);
    }
    free(whos);
    assert_string_equal(speaker_of(r, 0)->name, "Flavius");
    assert_string_equal(r->doc.turns[0].section, "ACT 1 / Scene 1");
    lf_span sp = r->doc.spans[r->doc.turns[0].span_first];
    assert_memory_equal(r->doc.text + sp.start, "Hence! Home, you idle creatures", 31);
    assert_string_equal(r->doc.span_src[r->doc.turns[0].span_first].element, "ftln-0001");
    reader_free(r);
    lf_input_list_free(&in);
}

int main(void)
{
    const char *data = lf_test_shared_data();
    struct stat st;
    if (!data || snprintf(tei_dir, sizeof tei_dir, "%s/tei", data) >= (int)sizeof tei_dir ||
        stat(tei_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("skipped: ../shared/data not present\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_file_is_read),
        cmocka_unit_test(parlamint_matches_meta_tsv),
        cmocka_unit_test(exemplar_header_and_interruption),
        cmocka_unit_test(play_speeches_attributed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
