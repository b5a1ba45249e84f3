/* fuzz_lexicon_text.h — the small native lexicon the transcript and partial-results fuzz
 * targets match with: every kind of entry and negation policy, so matching paths see real
 * work (and fuzz/seeds/partial was made with it). */
#ifndef FUZZ_LEXICON_TEXT_H
#define FUZZ_LEXICON_TEXT_H

static const char lexicon_text[] =
    "@negators not no never n't without\n"
    "@negation-window 3\n"
    "@theme trust.trust\nnegation: move trust.distrust\ntrust\ntrustworth*\nreliable partner\n"
    "!trust fund*\n"
    "@theme trust.distrust\nnegation: ignore\ndistrust*\nsuspicio*\n"
    "/\\bdoubts? about (?:\\S+ ){0,3}intentions\\b/\n"
    "@theme sanctions\nnegation: separate\nsanction*\nlift* * sanctions\n"
    "maximum pressure {weight=2}\n/\\bre-?impos\\w*(?: \\S+){0,4}? sanctions\\b/\n"
    "@theme actors\nUS {case}\nU.S.\n/\\bE3\\b/ {case}\nd?n't\n";

#endif
