/* test_tei.c — stage 1 for TEI: utterances and speeches become turns whose spans point back
 * to their elements; speakers, parties (dated) and roles resolve through listPerson,
 * listOrg and taxonomies in the file, its corpus root or a --speakers file; large files
 * arrive in parts with the same content; hostile XML fails fast, naming file and line. */
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
#include <unistd.h>

#include "ingest.h"
#include "tei.h"
#include "tokenize.h"

/* ---- helpers ---- */

typedef struct fixture {
    lf_options opt;
    lf_ingest *ing;
    lf_doc doc;
    lf_error err;
    char text[4096];
} fixture;

static fixture *fx_new(const lf_options *opt)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    if (opt)
        f->opt = *opt;
    else
        lf_options_init(&f->opt);
    f->ing = lf_ingest_new(&f->opt, &f->err);
    if (!f->ing)
        fail_msg("lf_ingest_new: %s", f->err.message);
    lf_doc_init(&f->doc);
    return f;
}

static void fx_free(fixture *f)
{
    lf_doc_free(&f->doc);
    lf_ingest_free(f->ing);
    free(f);
}

static lf_status fx_read(fixture *f, const char *xml)
{
    lf_error_clear(&f->err);
    return lf_ingest_buffer(f->ing, "t.xml", "t.xml", xml, strlen(xml), LF_FORMAT_TEI,
                            &f->doc, &f->err);
}

static void fx_ok(fixture *f, const char *xml)
{
    if (fx_read(f, xml) != LF_OK)
        fail_msg("TEI ingest failed: %s", f->err.message);
    assert_false(f->doc.more_parts);
}

/* The spans of turn i joined by '|'. */
static const char *turn_text(fixture *f, size_t i)
{
    const lf_doc *d = &f->doc;
    assert_true(i < d->n_turns);
    size_t o = 0;
    const lf_turn *t = &d->turns[i];
    for (uint32_t k = 0; k < t->span_count; k++) {
        lf_span sp = d->spans[t->span_first + k];
        if (k)
            f->text[o++] = '|';
        assert_true(o + (sp.end - sp.start) < sizeof f->text);
        memcpy(f->text + o, d->text + sp.start, sp.end - sp.start);
        o += sp.end - sp.start;
    }
    f->text[o] = '\0';
    return f->text;
}

static const lf_speaker *speaker_of(fixture *f, size_t turn)
{
    int32_t s = f->doc.turns[turn].speaker;
    assert_true(s >= 0 && (size_t)s < f->doc.n_speakers);
    return &f->doc.speakers[s];
}

/* Code points of doc->text before byte off. */
static size_t cps_before(const lf_doc *d, size_t off)
{
    size_t c = 0;
    for (size_t i = 0; i < off; i++)
        c += ((unsigned char)d->text[i] & 0xC0) != 0x80;
    return c;
}

static const char *meta(const lf_doc *d, const char *key)
{
    for (size_t i = 0; i < d->n_meta; i++)
        if (strcmp(d->meta[i].key, key) == 0)
            return d->meta[i].value;
    return NULL;
}

/* ---- a ParlaMint-style sitting ---- */

static const char sitting[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                    /* 1 */
    "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\" xml:id=\"T1\" xml:lang=\"en\">\n"       /* 2 */
    "<teiHeader><fileDesc><titleStmt>\n"                                              /* 3 */
    "<title type=\"main\">Main  title</title><title type=\"sub\">Sub title</title>\n" /* 4 */
    "<meeting n=\"57\" ana=\"#parla.lower #parla.term\"/>"
    "<meeting n=\"2017-09-07\" ana=\"#parla.sitting\" corresp=\"#HC\"/>\n" /* 5 */
    "</titleStmt></fileDesc>\n"                                            /* 6 */
    "<encodingDesc><classDecl><taxonomy>\n"                                /* 7 */
    "<category xml:id=\"chair\"><catDesc xml:lang=\"sl\"><term>Predsedujoci</term></catDesc>"
    "<catDesc xml:lang=\"en\"><term>Chairperson</term>: chairs</catDesc></category>\n" /* 8 */
    "<category xml:id=\"regular\"><catDesc><term>Regular</term></catDesc></category>\n" /* 9 */
    "</taxonomy></classDecl></encodingDesc>\n"                                        /* 10 */
    "<profileDesc><settingDesc><setting><date when=\"2017-09-07\"/></setting></settingDesc>\n"
    "<particDesc><listPerson>\n" /* 12 */
    "<person xml:id=\"A\"><persName><surname>Smith</surname><forename>Anna</forename>"
    "<forename>Maria</forename></persName>\n" /* 13 */
    " <affiliation ref=\"#party.OLD\" role=\"member\" from=\"2010-01-01\" to=\"2016-12-31\"/>\n"
    " <affiliation ref=\"#party.NEW\" role=\"member\" from=\"2017-01-01\"/>\n"      /* 15 */
    " <affiliation ref=\"#parliament.X\" role=\"member\" from=\"2010-01-01\"/></person>\n"
    "<person xml:id=\"B\" role=\"minister\"><persName to=\"2015-05-01\">Bea Old</persName>"
    "<persName from=\"2015-05-02\">Bea  New</persName>\n" /* 17 */
    " <affiliation ref=\"#group.G\" from=\"2017-09\"/></person>\n"                  /* 18 */
    "<person xml:id=\"C\"><persName>Carl</persName>"
    "<affiliation ref=\"#party.NEW\" to=\"2017-09-06\"/></person>\n"   /* 19 */
    "<person xml:id=\"D\"><persName>Dora</persName>"
    "<affiliation ref=\"#party.UNDECLARED\" from=\"2000\"/></person>\n" /* 20 */
    "</listPerson><listOrg>\n"                                         /* 21 */
    "<org xml:id=\"party.NEW\" role=\"politicalParty\"><orgName full=\"yes\">New Party</orgName>"
    "<orgName full=\"abb\">NP</orgName></org>\n" /* 22 */
    "<org xml:id=\"party.OLD\" role=\"politicalParty\"><orgName full=\"yes\">Old Party</orgName></org>\n"
    "<org xml:id=\"group.G\" role=\"parliamentaryGroup\"><orgName full=\"yes\" xml:lang=\"de\">"
    "Gruppe G</orgName><orgName full=\"yes\" xml:lang=\"en\">Group G</orgName></org>\n" /* 24 */
    "<org xml:id=\"parliament.X\" role=\"parliament\"><orgName>Parliament</orgName></org>\n"
    "</listOrg></particDesc></profileDesc></teiHeader>\n" /* 26 */
    "<text><body>\n"                                       /* 27 */
    "<div><head>First <hi>debate</hi></head>\n"            /* 28 */
    "<u xml:id=\"T1.u1\" who=\"#A\" ana=\"#chair\">\n"     /* 29 */
    "<seg xml:id=\"T1.s1\">We will vote now</seg>\n"       /* 30 */
    "<seg xml:id=\"T1.s2\">They betrayed us <note>Interruption.</note>again</seg></u>\n" /* 31 */
    "<gap reason=\"editorial\"><desc>SAMPLING</desc></gap>\n"                            /* 32 */
    "<u xml:id=\"T1.u2\" who=\"#B\" ana=\"#regular\"><seg xml:id=\"T1.s3\">Trust is "
    "&amp; was &#x263A; gone.</seg></u>\n" /* 33 */
    "</div>\n"                             /* 34 */
    "<div><u who=\"#C\" ana=\"#guest\"><seg>No comment.</seg></u>\n" /* 35 */
    "<u xml:id=\"T1.u4\" who=\"#Z\"><gap reason=\"inaudible\"/></u>\n" /* 36 */
    "<u who=\"D\">Direct   text\n"                                      /* 37 */
    "across lines</u></div>\n"                                          /* 38 */
    "</body></text></TEI>\n";

static void sitting_metadata(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, sitting);
    const lf_doc *d = &f->doc;
    assert_string_equal(d->title, "Main title");
    assert_string_equal(d->date, "2017-09-07");
    assert_string_equal(meta(d, "subtitle"), "Sub title");
    assert_string_equal(meta(d, "term"), "57");
    assert_string_equal(meta(d, "sitting"), "2017-09-07");
    assert_string_equal(meta(d, "house"), "lower");
    assert_string_equal(meta(d, "body"), "HC");
    assert_string_equal(meta(d, "tei_id"), "T1");
    assert_string_equal(meta(d, "lang"), "en");
    fx_free(f);
}

static void sitting_speakers_parties_roles(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, sitting);
    const lf_doc *d = &f->doc;
    assert_int_equal(d->n_turns, 5);
    /* A: the party valid on 2017-09-07 (not the one that ended in 2016, not the
       parliament), abbreviated; the role from the taxonomy's English term */
    const lf_speaker *a = speaker_of(f, 0);
    assert_string_equal(a->label, "A");
    assert_string_equal(a->name, "Smith, Anna Maria");
    assert_string_equal(a->party, "NP");
    assert_null(a->role);
    assert_string_equal(d->turns[0].role, "Chairperson");
    assert_string_equal(d->turns[0].xml_id, "T1.u1");
    assert_string_equal(d->turns[0].section, "First debate");
    assert_int_equal(d->turns[0].line, 29);
    /* B: the name valid on the date; a group affiliation from "2017-09" covers the 7th */
    const lf_speaker *b = speaker_of(f, 1);
    assert_string_equal(b->name, "Bea New");
    assert_string_equal(b->party, "Group G");
    assert_string_equal(b->role, "minister");
    assert_string_equal(d->turns[1].role, "Regular");
    /* C: the affiliation ended the day before; role without a category stays the id */
    const lf_speaker *c = speaker_of(f, 2);
    assert_string_equal(c->name, "Carl");
    assert_null(c->party);
    assert_string_equal(d->turns[2].role, "guest");
    assert_null(d->turns[2].section);
    /* an utterance without xml:id gets the generated one */
    assert_string_equal(d->turns[2].xml_id, "lf-t-u3");
    /* Z: not in the listPerson; only a gap: a gap turn */
    const lf_speaker *z = speaker_of(f, 3);
    assert_string_equal(z->label, "Z");
    assert_string_equal(z->name, "Z");
    assert_true(d->turns[3].gap);
    assert_int_equal(d->turns[3].span_count, 0);
    /* D: who without '#'; an undeclared party.* organisation is a party */
    assert_string_equal(speaker_of(f, 4)->party, "party.UNDECLARED");
    fx_free(f);
}

static void sitting_spans_and_sources(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, sitting);
    const lf_doc *d = &f->doc;
    /* notes are not speech; entities and character references are decoded */
    assert_string_equal(turn_text(f, 0), "We will vote now|They betrayed us|again");
    assert_string_equal(turn_text(f, 1), "Trust is & was \xE2\x98\xBA gone.");
    assert_string_equal(turn_text(f, 4), "Direct   text\nacross lines");
    /* each span knows its element and offset (the note's 13 characters included) */
    const lf_turn *t0 = &d->turns[0];
    assert_non_null(d->span_src);
    assert_string_equal(d->span_src[t0->span_first].element, "T1.s1");
    assert_int_equal(d->span_src[t0->span_first].offset, 0);
    assert_string_equal(d->span_src[t0->span_first + 2].element, "T1.s2");
    assert_int_equal(d->span_src[t0->span_first + 2].offset, 30);
    assert_true(d->span_src[t0->span_first + 1].para);
    assert_false(d->span_src[t0->span_first + 2].para); /* same segment after a note */
    const char *el = NULL;
    size_t off = 0;
    size_t again = d->spans[t0->span_first + 2].start + 2;
    assert_true(lf_doc_source_of(d, 0, again, cps_before(d, again), &el, &off));
    assert_string_equal(el, "T1.s2");
    assert_int_equal(off, 32);
    /* text directly in the utterance points to the utterance (generated id) */
    size_t direct = d->spans[d->turns[4].span_first].start;
    assert_true(lf_doc_source_of(d, 4, direct, cps_before(d, direct), &el, &off));
    assert_string_equal(el, "lf-t-u5");
    assert_int_equal(off, 0);
    assert_false(lf_doc_source_of(d, 0, 0, 0, &el, &off));
    /* source lines */
    assert_int_equal(lf_doc_line_of(d, d->spans[t0->span_first].start), 30);
    assert_int_equal(lf_doc_line_of(d, d->spans[t0->span_first + 2].start), 31);
    assert_int_equal(lf_doc_line_of(d, d->spans[d->turns[4].span_first + 0].end - 1), 38);
    fx_free(f);
}

/* ParlaMint .ana style: words and punctuation in <w>/<pc>, sentences in <s>, syntax links
 * (no text) after the words. */
static void linguistic_annotation(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, "<TEI><text><body><u who=\"#a\"><seg xml:id=\"g1\">\n"
             "<s xml:id=\"s1\"><w>They</w>\n<w>betrayed</w>\n<w join=\"right\">us</w>"
             "<pc>,</pc>\n<linkGrp><link ana=\"ud:nsubj\"/></linkGrp></s>\n"
             "<s xml:id=\"s2\"><name><w>New</w>\n<w>York</w></name>\n<w>waits</w></s>\n"
             "</seg></u></body></text></TEI>");
    assert_string_equal(turn_text(f, 0), "They\nbetrayed\nus,|New\nYork\nwaits");
    assert_string_equal(f->doc.span_src[1].element, "g1");
    assert_true(f->doc.span_src[1].para);
    lf_vocab *v = lf_vocab_new();
    lf_tokens tk;
    lf_tokens_init(&tk);
    assert_int_equal(lf_tokenize_doc(v, &f->doc, &f->opt, &tk, &f->err), LF_OK);
    assert_int_equal(tk.n_tok, 6);
    assert_int_equal(tk.n_sent, 2); /* no full stop after "us", yet <s> ended it */
    lf_tokens_free(&tk);
    lf_vocab_free(v);
    fx_free(f);
}

static void reused_doc_forgets_tei(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, sitting);
    assert_non_null(f->doc.span_src);
    const char *txt = "MR. A: One two\n\nthree four.\n";
    assert_int_equal(lf_ingest_buffer(f->ing, "t.txt", "t.txt", txt, strlen(txt),
                                      LF_FORMAT_TEXT, &f->doc, &f->err),
                     LF_OK);
    assert_null(f->doc.span_src);
    /* so the blank line is a paragraph break again */
    lf_vocab *v = lf_vocab_new();
    lf_tokens tk;
    lf_tokens_init(&tk);
    assert_int_equal(lf_tokenize_doc(v, &f->doc, &f->opt, &tk, &f->err), LF_OK);
    assert_int_equal(tk.n_sent, 2);
    lf_tokens_free(&tk);
    lf_vocab_free(v);
    fx_free(f);
}

static void segments_end_sentences(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, sitting);
    lf_vocab *v = lf_vocab_new();
    lf_tokens tk;
    lf_tokens_init(&tk);
    assert_int_equal(lf_tokenize_doc(v, &f->doc, &f->opt, &tk, &f->err), LF_OK);
    /* "We will vote now" has no full stop, yet the next <seg> starts a new sentence; the
       note inside the second segment does not; a line break in text is no paragraph */
    assert_int_equal(tk.turn[0].sent_end - tk.turn[0].sent_first, 2);
    assert_int_equal(tk.sent[0].tok_end - tk.sent[0].tok_first, 4);
    assert_int_equal(tk.sent[1].tok_end - tk.sent[1].tok_first, 4);
    assert_int_equal(tk.turn[4].sent_end - tk.turn[4].sent_first, 1);
    lf_tokens_free(&tk);
    lf_vocab_free(v);
    fx_free(f);
}

/* ---- drama ---- */

static const char play[] =
    "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><teiHeader><fileDesc><titleStmt><title>Play"
    "</title></titleStmt></fileDesc><profileDesc><particDesc><listPerson>\n"
    "<person xml:id=\"Bru\"><persName>Marcus Brutus</persName></person>\n"
    "<person xml:id=\"Sooth\"><persName>Sooth</persName></person>\n"
    "<personGrp xml:id=\"Pleb\"><name>Plebeians</name></personGrp>\n"
    "</listPerson></particDesc></profileDesc></teiHeader>\n"
    "<text><front><castList><castItem>Brutus, a lord</castItem></castList></front><body>\n"
    "<div type=\"act\"><head>ACT 1</head><div type=\"scene\"><head>Scene 2</head>\n"
    "<stage>Enter Brutus.</stage>\n"
    "<sp who=\"#Bru\"><speaker>BRUTUS</speaker><l>I do not trust</l>\n<l>the senate.</l>"
    "<stage>He sits.</stage></sp>\n"
    "<sp who=\"#Sooth\"><speaker>SOOTHSAYER.</speaker><p>Beware <lb/>the ides.</p></sp>\n"
    "<sp who=\"#Bru #Pleb\"><speaker>ALL</speaker><l>Peace!</l></sp>\n"
    "<sp who=\"#Sooth\"><speaker>SOOTH.</speaker><p>Again.</p></sp>\n"
    "</div></div>\n"
    "<sp><speaker>MESSENGER</speaker>News.</sp>\n"
    "</body></text></TEI>\n";

static void drama_speeches(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    lf_doc_free(&f->doc);
    lf_doc_init(&f->doc);
    lf_error_clear(&f->err);
    assert_int_equal(lf_ingest_buffer(f->ing, "x/play.xml", "play.xml", play, strlen(play),
                                      LF_FORMAT_TEI, &f->doc, &f->err),
                     LF_OK);
    const lf_doc *d = &f->doc;
    assert_int_equal(d->n_turns, 5);
    assert_string_equal(d->title, "Play");
    /* labels, stage directions and the cast list are not speech; verse lines are one
       sentence's spans */
    assert_string_equal(turn_text(f, 0), "I do not trust|the senate.");
    assert_string_equal(turn_text(f, 1), "Beware the ides.");
    assert_string_equal(speaker_of(f, 0)->name, "Marcus Brutus");
    /* a placeholder name (the id) gives way to the speech's label, kept for later speeches */
    assert_string_equal(speaker_of(f, 1)->name, "SOOTHSAYER");
    assert_string_equal(speaker_of(f, 3)->name, "SOOTHSAYER");
    assert_int_equal(d->turns[1].speaker, d->turns[3].speaker);
    /* two speakers at once */
    assert_string_equal(speaker_of(f, 2)->label, "Bru Pleb");
    assert_string_equal(speaker_of(f, 2)->name, "Marcus Brutus & Plebeians");
    /* no @who: the label is the speaker; text directly in <sp> */
    assert_string_equal(speaker_of(f, 4)->name, "MESSENGER");
    assert_string_equal(turn_text(f, 4), "News.");
    assert_string_equal(d->turns[0].section, "ACT 1 / Scene 2");
    assert_null(d->turns[4].section);
    /* generated ids: speeches and segments numbered through the document */
    assert_string_equal(d->turns[0].xml_id, "lf-play-u1");
    assert_string_equal(d->span_src[d->turns[0].span_first + 1].element, "lf-play-s2");
    assert_string_equal(d->span_src[d->turns[1].span_first].element, "lf-play-s3");
    /* the label counts in the string value of the <sp> holding text directly */
    assert_string_equal(d->span_src[d->turns[4].span_first].element, "lf-play-u5");
    assert_int_equal(d->span_src[d->turns[4].span_first].offset, 9);
    lf_vocab *v = lf_vocab_new();
    lf_tokens tk;
    lf_tokens_init(&tk);
    assert_int_equal(lf_tokenize_doc(v, d, &f->opt, &tk, &f->err), LF_OK);
    assert_int_equal(tk.turn[0].sent_end - tk.turn[0].sent_first, 1);
    lf_tokens_free(&tk);
    lf_vocab_free(v);
    fx_free(f);
}

/* ---- interrupted utterances ---- */

static void interrupted_utterance(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    fx_ok(f, "<TEI><teiHeader/><text><body>"
             "<u xml:id=\"a1\" who=\"#J\" next=\"#a3\"><seg>I propose</seg></u>"
             "<u xml:id=\"a2\" who=\"#K\"><seg>Traitor!</seg></u>"
             "<u xml:id=\"a3\"><seg>because.</seg></u>"
             "<u xml:id=\"b1\" who=\"#K\"><seg>x</seg></u>"
             "<u xml:id=\"b2\" who=\"#K\" prev=\"#b1\"><seg>y</seg></u>"
             "</body></text></TEI>");
    const lf_doc *d = &f->doc;
    assert_int_equal(d->n_turns, 5);
    assert_int_equal(d->turns[2].speaker, d->turns[0].speaker);
    assert_string_equal(speaker_of(f, 2)->label, "J");
    assert_string_equal(d->turns[2].continues, "a1");
    assert_null(d->turns[1].continues);
    assert_string_equal(d->turns[4].continues, "b1");
    fx_free(f);
}

/* ---- parts ---- */

static void parts_cover_the_document(void **state)
{
    (void)state;
    lf_buf xml = {0};
    lf_buf_puts(&xml, "<TEI>\n<teiHeader><fileDesc><titleStmt><title>Long</title></titleStmt>"
                      "</fileDesc></teiHeader>\n<text><body>\n");
    for (int i = 0; i < 300; i++)
        lf_buf_printf(&xml, "<u who=\"#s%d\">\n<seg>Utterance %d trusts\nno one.</seg>\n</u>\n",
                      i % 7, i);
    lf_buf_puts(&xml, "</body></text></TEI>\n");
    const char *x = lf_buf_cstr(&xml);

    fixture *whole = fx_new(NULL);
    fx_ok(whole, x);
    lf_options opt;
    lf_options_init(&opt);
    opt.limits[LF_LIMIT_PART_BYTES] = 500;
    fixture *f = fx_new(&opt);
    assert_int_equal(fx_read(f, x), LF_OK);
    size_t parts = 1, turns = 0;
    lf_buf text = {0};
    for (;;) {
        assert_int_equal(f->doc.part, parts - 1);
        assert_string_equal(f->doc.title, "Long");
        assert_string_equal(f->doc.id, "t.xml");
        for (size_t t = 0; t < f->doc.n_turns; t++) {
            const lf_turn *a = &f->doc.turns[t], *b = &whole->doc.turns[turns + t];
            assert_int_equal(a->line, b->line);
            assert_string_equal(speaker_of(f, t)->label,
                                whole->doc.speakers[b->speaker].label);
            /* the same source line for the same span */
            lf_span sa = f->doc.spans[a->span_first], sb = whole->doc.spans[b->span_first];
            assert_int_equal(lf_doc_line_of(&f->doc, sa.start),
                             lf_doc_line_of(&whole->doc, sb.start));
            assert_int_equal(sa.end - sa.start, sb.end - sb.start);
            assert_memory_equal(f->doc.text + sa.start, whole->doc.text + sb.start,
                                sa.end - sa.start);
        }
        turns += f->doc.n_turns;
        lf_buf_append(&text, f->doc.text, f->doc.len);
        assert_true(f->doc.len < 500 + 200); /* a part ends at the first turn past 500 */
        if (!f->doc.more_parts)
            break;
        assert_int_equal(lf_ingest_next_part(f->ing, &f->doc, &f->err), LF_OK);
        parts++;
    }
    assert_true(parts > 10);
    assert_int_equal(turns, 300);
    /* the parts' texts, one after the other, are the whole text */
    assert_int_equal(text.len, whole->doc.len);
    assert_memory_equal(text.data, whole->doc.text, text.len);
    /* nothing is pending afterwards */
    assert_int_equal(lf_ingest_next_part(f->ing, &f->doc, &f->err), LF_ERR_USAGE);
    lf_buf_free(&text);
    lf_buf_free(&xml);
    fx_free(f);
    fx_free(whole);
}

/* ---- hostile and broken XML ---- */

typedef struct hostile_case {
    const char *name;
    const char *xml; /* NULL: generated */
    lf_status status;
    const char *where;  /* "t.xml:LINE:" */
    const char *phrase; /* in the message */
} hostile_case;

#define BOMB_DTD                                                                        \
    "<?xml version=\"1.0\"?>\n<!DOCTYPE TEI [\n <!ENTITY a \"aaaaaaaaaa\">\n"              \
    " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"                                    \
    " <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"                                    \
    " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"                                    \
    " <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"                                    \
    " <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"                                    \
    " <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"                                    \
    " <!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"                                    \
    " <!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">\n]>\n"

static const hostile_case hostile[] = {
    {"external entity, local file",
     "<?xml version=\"1.0\"?>\n<!DOCTYPE TEI [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
     "<TEI><text><body>\n<u who=\"#a\">a &x; b</u></body></text></TEI>",
     LF_ERR_INPUT, "t.xml:2:", "the DTD declares 1 entity: refused"},
    {"external entity, network",
     "<?xml version=\"1.0\"?>\n<!DOCTYPE TEI [<!ENTITY y SYSTEM \"http://127.0.0.1:9/x\">]>\n"
     "<TEI><text><body><u who=\"#a\">\na &y; b</u></body></text></TEI>",
     LF_ERR_INPUT, "t.xml:2:", "the DTD declares 1 entity: refused"},
    {"internal entity expanded many times in an attribute (quadratic blowup)",
     "<?xml version=\"1.0\"?>\n<!DOCTYPE TEI [\n<!ENTITY e \"eeeeeeeeeeeeeeeeeeee\">]>\n"
     "<TEI><text><body><u n=\"&e;&e;&e;&e;&e;&e;&e;&e;\">x</u></body></text></TEI>",
     LF_ERR_INPUT, "t.xml:3:", "the DTD declares 1 entity: refused"},
    {"external DTD and undefined entity",
     "<?xml version=\"1.0\"?>\n<!DOCTYPE TEI SYSTEM \"http://127.0.0.1:9/tei.dtd\">\n"
     "<TEI><text><body><u>&mdash;</u></body></text></TEI>",
     LF_ERR_INPUT, "t.xml:3:", "mdash"},
    {"entity bomb in content", BOMB_DTD "<TEI><text><body><u>&i;</u></body></text></TEI>",
     LF_ERR_INPUT, "t.xml:", "entit"},
    {"entity bomb in an attribute",
     BOMB_DTD "<TEI><text><body><u n=\"&i;\">x</u></body></text></TEI>", LF_ERR_INPUT,
     "t.xml:", "entit"},
    {"10,000-deep nesting", NULL, LF_ERR_LIMIT, "t.xml:2:", "xml-depth limit (128)"},
    {"huge text node", NULL, LF_ERR_LIMIT, "t.xml:2:", "xml-text-bytes limit (4194304)"},
    {"malformed", "<TEI><text>\n<body><u>x</body></text></TEI>", LF_ERR_INPUT, "t.xml:2:",
     "XML error"},
    {"not TEI", "<html><body>x</body></html>", LF_ERR_INPUT, "t.xml:1:",
     "not a TEI document: the root element is <html>"},
    {"invalid UTF-8", "<TEI><text><body><u>caf\xE9</u></body></text></TEI>", LF_ERR_INPUT,
     "t.xml:1:", "XML error"},
    {"empty", "", LF_ERR_INPUT, "t.xml", ""},
};

static void hostile_inputs_fail_fast(void **state)
{
    (void)state;
    fixture *f = fx_new(NULL);
    lf_buf deep = {0}, huge = {0};
    lf_buf_puts(&deep, "<TEI><text><body>\n<u>");
    for (int i = 0; i < 10000; i++)
        lf_buf_puts(&deep, "<hi>");
    lf_buf_puts(&deep, "x");
    for (int i = 0; i < 10000; i++)
        lf_buf_puts(&deep, "</hi>");
    lf_buf_puts(&deep, "</u></body></text></TEI>");
    lf_buf_puts(&huge, "<TEI><text><body>\n<u>");
    for (int i = 0; i < 5 * 1024 * 1024 / 8; i++)
        lf_buf_puts(&huge, "betray! ");
    lf_buf_puts(&huge, "</u></body></text></TEI>");
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        const hostile_case *h = &hostile[i];
        const char *xml = h->xml ? h->xml
                          : strstr(h->name, "nesting") ? lf_buf_cstr(&deep)
                                                       : lf_buf_cstr(&huge);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        lf_status st = fx_read(f, xml);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (st != h->status || strstr(f->err.message, h->where) != f->err.message ||
            !strstr(f->err.message, h->phrase))
            fail_msg("%s: status %d, message '%s'", h->name, (int)st, f->err.message);
        if (secs > 2.0)
            fail_msg("%s took %.2f s", h->name, secs);
        /* the reader recovers: the next document is read normally */
        fx_ok(f, "<TEI><text><body><u who=\"#a\">fine</u></body></text></TEI>");
        assert_int_equal(f->doc.n_turns, 1);
    }
    /* a raised limit lets the large text node through */
    lf_options opt;
    lf_options_init(&opt);
    opt.limits[LF_LIMIT_XML_TEXT_BYTES] = 8 * 1024 * 1024;
    fixture *g = fx_new(&opt);
    fx_ok(g, lf_buf_cstr(&huge));
    assert_int_equal(g->doc.n_turns, 1);
    fx_free(g);
    lf_buf_free(&deep);
    lf_buf_free(&huge);
    fx_free(f);
}

/* ---- generated ids ---- */

static void generated_ids(void **state)
{
    (void)state;
    lf_buf b = {0};
    lf_tei_generated_id(&b, "2017/ParlaMint x+y.xml", 'u', 3);
    assert_string_equal(lf_buf_cstr(&b), "lf-2017_ParlaMint_x_y-u3");
    lf_buf_reset(&b);
    lf_tei_generated_id(&b, "a.b/c", 's', 12);
    assert_string_equal(lf_buf_cstr(&b), "lf-a.b_c-s12");
    lf_buf_reset(&b);
    lf_tei_generated_id(&b, ".hidden", 'p', 1);
    assert_string_equal(lf_buf_cstr(&b), "lf-.hidden-p1");
    lf_buf_free(&b);
}

/* ---- corpus roots, includes and --speakers on disk ---- */

static char tmpdir[256];

static void write_file(const char *rel, const char *content)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    mkdir(path, 0777);
    *slash = '/';
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(content, fp);
    fclose(fp);
}

static void rm_rf(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static const char *id_at(const lf_input_list *in, size_t i)
{
    return i < in->n ? in->v[i].id : "(none)";
}

static void corpus_root_and_speakers_file(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lf-test-tei-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    /* beside the corpus directory, not in it */
    write_file("c-outside.xml",
               "<listPerson xmlns=\"http://www.tei-c.org/ns/1.0\"><person xml:id=\"P1\">"
               "<persName>Leaked Name</persName></person></listPerson>");
    write_file("c/root.xml",
               "<teiCorpus xmlns=\"http://www.tei-c.org/ns/1.0\" "
               "xmlns:xi=\"http://www.w3.org/2001/XInclude\"><teiHeader>\n"
               "<encodingDesc><classDecl><xi:include href=\"tax.xml\"/></classDecl></encodingDesc>\n"
               "<profileDesc><particDesc><xi:include href=\"people.xml\"/>\n"
               "<xi:include href=\"http://127.0.0.1:9/people.xml\"/>\n"
               "<xi:include href=\"../c-outside.xml\"/>\n"
               "<xi:include href=\"gone.xml\"/></particDesc></profileDesc></teiHeader>\n"
               "<xi:include href=\"sub/day1.xml\"/><xi:include href=\"sub/day2.xml\"/>"
               "<xi:include href=\"sub/missing.xml\"/></teiCorpus>\n");
    write_file("c/people.xml",
               "<listPerson xmlns=\"http://www.tei-c.org/ns/1.0\" "
               "xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
               "<person xml:id=\"P1\"><persName>Pat One</persName>"
               "<affiliation ref=\"#party.Q\" from=\"2000\"/></person>"
               "<xi:include href=\"orgs.xml\"/></listPerson>");
    write_file("c/orgs.xml", "<listOrg xmlns=\"http://www.tei-c.org/ns/1.0\"><org "
                             "xml:id=\"party.Q\" role=\"politicalParty\"><orgName full=\"abb\">Q"
                             "</orgName></org></listOrg>");
    write_file("c/tax.xml", "<taxonomy xmlns=\"http://www.tei-c.org/ns/1.0\"><category "
                            "xml:id=\"chair\"><catDesc><term>Chairperson</term></catDesc>"
                            "</category></taxonomy>");
    const char *day = "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><teiHeader><profileDesc>"
                      "<settingDesc><setting><date when=\"2020-01-01\"/></setting></settingDesc>"
                      "</profileDesc></teiHeader><text><body><u who=\"#P1\" ana=\"#chair\">"
                      "<seg>Hello.</seg></u></body></text></TEI>";
    write_file("c/sub/day1.xml", day);
    write_file("c/sub/day2.xml", day);
    write_file("c/other.xml", day);
    write_file("c/notes.xml", "<foo>not TEI</foo>");
    write_file("c/talk.txt", "A transcript.");

    char path[512];
    snprintf(path, sizeof path, "%s/c", tmpdir);
    lf_input_list in = {0};
    lf_error err;
    /* a directory walk: the root, its header files and non-TEI XML are not documents */
    assert_int_equal(lf_input_collect(path, &in, &err), LF_OK);
    assert_int_equal(in.n, 4);
    assert_string_equal(id_at(&in, 0), "other.xml");
    assert_string_equal(id_at(&in, 1), "sub/day1.xml");
    assert_string_equal(id_at(&in, 2), "sub/day2.xml");
    assert_string_equal(id_at(&in, 3), "talk.txt");
    assert_null(in.v[0].corpus_root);
    assert_null(in.v[3].corpus_root);
    assert_non_null(in.v[1].corpus_root);
    assert_true(strstr(in.v[1].corpus_root, "c/root.xml") != NULL);

    fixture *f = fx_new(NULL);
    char *warnings = NULL;
    size_t wlen = 0;
    FILE *w = open_memstream(&warnings, &wlen);
    assert_non_null(w);
    lf_ingest_set_warnings(f->ing, w);
    assert_int_equal(lf_ingest_input(f->ing, &in.v[1], &f->doc, &f->err), LF_OK);
    assert_string_equal(speaker_of(f, 0)->name, "Pat One");
    assert_string_equal(speaker_of(f, 0)->party, "Q");
    assert_string_equal(f->doc.turns[0].role, "Chairperson");
    /* the second document of the same root: its registry is read once */
    assert_int_equal(lf_ingest_input(f->ing, &in.v[2], &f->doc, &f->err), LF_OK);
    assert_string_equal(speaker_of(f, 0)->name, "Pat One");
    /* a document outside the corpus knows nothing of it; "first of its root" said of it
       is not carried over to the next document of the cached root (no second warning) */
    lf_ingest_set_root_first(f->ing, true);
    assert_int_equal(lf_ingest_input(f->ing, &in.v[0], &f->doc, &f->err), LF_OK);
    assert_string_equal(speaker_of(f, 0)->name, "P1");
    assert_string_equal(f->doc.turns[0].role, "chair");
    assert_int_equal(lf_ingest_input(f->ing, &in.v[2], &f->doc, &f->err), LF_OK);
    assert_string_equal(speaker_of(f, 0)->name, "Pat One");
    fclose(w);
    /* URLs, paths outside the directory and missing files are warnings, once each */
    assert_non_null(strstr(warnings, "root.xml:4: xi:include 'http://127.0.0.1:9/people.xml' "
                                     "not read: URLs are never followed"));
    assert_non_null(strstr(warnings, "'../c-outside.xml' not read: it is outside the corpus "
                                     "directory"));
    assert_non_null(strstr(warnings, "'gone.xml' not read: No such file or directory"));
    assert_null(strstr(strstr(warnings, "URLs are never") + 1, "URLs are never"));
    assert_null(strstr(warnings, "Leaked"));
    free(warnings);
    lf_input_list_free(&in);

    /* the root named as a file stands for its documents, a missing one included */
    snprintf(path, sizeof path, "%s/c/root.xml", tmpdir);
    assert_int_equal(lf_input_collect(path, &in, &err), LF_OK);
    assert_int_equal(in.n, 3);
    assert_string_equal(id_at(&in, 0), "sub/day1.xml");
    assert_string_equal(id_at(&in, 2), "sub/missing.xml");
    assert_int_equal(lf_ingest_input(f->ing, &in.v[0], &f->doc, &f->err), LF_OK);
    assert_string_equal(speaker_of(f, 0)->party, "Q");
    assert_int_equal(lf_ingest_input(f->ing, &in.v[2], &f->doc, &f->err), LF_ERR_INPUT);
    assert_non_null(strstr(f->err.message, "missing.xml: No such file or directory"));
    lf_input_list_free(&in);
    fx_free(f);

    /* --speakers: the root's registry for any TEI document */
    lf_options opt;
    lf_options_init(&opt);
    opt.speakers_file = path;
    f = fx_new(&opt);
    lf_ingest_set_warnings(f->ing, NULL);
    snprintf(path, sizeof path, "%s/c/other.xml", tmpdir);
    assert_int_equal(lf_ingest_file(f->ing, path, "other.xml", &f->doc, &f->err), LF_OK);
    assert_string_equal(speaker_of(f, 0)->name, "Pat One");
    assert_string_equal(f->doc.turns[0].role, "Chairperson");
    fx_free(f);

    /* a body include outside the corpus directory refuses the whole root: the root is one
       failed input (its error is reported when the run reaches it), the rest is read */
    write_file("c/root.xml", "<teiCorpus xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
                             "<teiHeader/>\n<xi:include href=\"../c-outside.xml\"/></teiCorpus>");
    snprintf(path, sizeof path, "%s/c", tmpdir);
    assert_int_equal(lf_input_collect(path, &in, &err), LF_OK);
    const lf_input_file *refused = NULL;
    for (size_t i = 0; i < in.n; i++)
        if (in.v[i].error)
            refused = &in.v[i];
    assert_non_null(refused);
    assert_non_null(strstr(refused->path, "root.xml"));
    assert_non_null(strstr(refused->error, "root.xml:2: xi:include '../c-outside.xml' refused"));
    lf_input_list_free(&in);

    /* a --speakers file that cannot be read stops ingest creation */
    lf_options_init(&opt);
    opt.speakers_file = "/nonexistent/people.xml";
    lf_ingest *ing = lf_ingest_new(&opt, &err);
    assert_null(ing);
    assert_non_null(strstr(err.message, "--speakers: /nonexistent/people.xml: No such file"));
    rm_rf(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sitting_metadata),
        cmocka_unit_test(sitting_speakers_parties_roles),
        cmocka_unit_test(sitting_spans_and_sources),
        cmocka_unit_test(segments_end_sentences),
        cmocka_unit_test(reused_doc_forgets_tei),
        cmocka_unit_test(linguistic_annotation),
        cmocka_unit_test(drama_speeches),
        cmocka_unit_test(interrupted_utterance),
        cmocka_unit_test(parts_cover_the_document),
        cmocka_unit_test(hostile_inputs_fail_fast),
        cmocka_unit_test(generated_ids),
        cmocka_unit_test(corpus_root_and_speakers_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
