/* render_csv.c — the tidy CSV tables: frequencies.csv (one row per group × theme) and
 * cooccurrence.csv (one row per scope × theme pair that co-occurs). RFC 4180 quoting, a
 * header row, LF line ends, numbers through lf_fmt_double: byte-identical on every run. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

void lf_csv_field(FILE *fp, const char *s)
{
    if (!s)
        s = "";
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(s, fp);
        return;
    }
    putc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', fp);
        putc(*s, fp);
    }
    putc('"', fp);
}

static void csv_u64(FILE *fp, uint64_t v)
{
    fprintf(fp, ",%" PRIu64, v);
}

static void csv_double(FILE *fp, double x)
{
    char buf[64];
    lf_fmt_double(buf, sizeof buf, x);
    putc(',', fp);
    fputs(buf, fp);
}

static const char *theme_label(const lf_theme *th)
{
    return th->label ? th->label : th->id;
}

/* Columns: group_type, group, theme (id), theme_label, matches, negated, weight, words,
 * rate_per_1000 (= 1000·matches/words), turns_with_theme, turns, sentences_with_theme,
 * sentences. */
int lf_render_frequencies_csv(FILE *fp, const lf_tables *t, const lf_lexicon *lex)
{
    fputs("group_type,group,theme,theme_label,matches,negated,weight,words,rate_per_1000,"
          "turns_with_theme,turns,sentences_with_theme,sentences\n",
          fp);
    lf_freq_row *rows;
    size_t n = lf_tables_freq(t, &rows);
    for (size_t i = 0; i < n; i++) {
        const lf_freq_row *r = &rows[i];
        const lf_theme *th = &lex->themes[r->theme];
        fputs(lf_group_kind_name(r->kind), fp);
        putc(',', fp);
        lf_csv_field(fp, r->group);
        putc(',', fp);
        lf_csv_field(fp, th->id);
        putc(',', fp);
        lf_csv_field(fp, theme_label(th));
        csv_u64(fp, r->c.matches);
        csv_u64(fp, r->c.negated);
        csv_double(fp, r->c.weight);
        csv_u64(fp, r->t.words);
        csv_double(fp, lf_rate_per_1000(r->c.matches, r->t.words));
        csv_u64(fp, r->c.turns_with);
        csv_u64(fp, r->t.turns);
        csv_u64(fp, r->c.sents_with);
        csv_u64(fp, r->t.sentences);
        putc('\n', fp);
    }
    free(rows);
    return ferror(fp) ? -1 : 0;
}

/* Columns: scope, theme_a, theme_b (ids, a before b in lexicon order), joint, count_a,
 * count_b, units, expected (= count_a·count_b/units), jaccard (= joint/(count_a+count_b−
 * joint)), pmi (= log2(joint·units/(count_a·count_b))), npmi (= pmi/−log2(joint/units),
 * 1 when joint = units). */
int lf_render_cooccurrence_csv(FILE *fp, const lf_tables *t, const lf_lexicon *lex)
{
    fputs("scope,theme_a,theme_b,joint,count_a,count_b,units,expected,jaccard,pmi,npmi\n", fp);
    lf_cooc_row *rows;
    size_t n = lf_tables_cooc(t, &rows);
    for (size_t i = 0; i < n; i++) {
        const lf_cooc_row *r = &rows[i];
        fputs(lf_scope_name(r->scope), fp);
        putc(',', fp);
        lf_csv_field(fp, lex->themes[r->a].id);
        putc(',', fp);
        lf_csv_field(fp, lex->themes[r->b].id);
        csv_u64(fp, r->joint);
        csv_u64(fp, r->count_a);
        csv_u64(fp, r->count_b);
        csv_u64(fp, r->units);
        csv_double(fp, lf_cooc_expected(r->count_a, r->count_b, r->units));
        csv_double(fp, lf_cooc_jaccard(r->joint, r->count_a, r->count_b));
        csv_double(fp, lf_cooc_pmi(r->joint, r->count_a, r->count_b, r->units));
        csv_double(fp, lf_cooc_npmi(r->joint, r->count_a, r->count_b, r->units));
        putc('\n', fp);
    }
    free(rows);
    return ferror(fp) ? -1 : 0;
}
