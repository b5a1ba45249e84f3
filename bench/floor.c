/* floor.c — the reference floor for lexframe's benchmark: the least a lexicon tagger can
 * do. It reads each file, splits it into ASCII-letter words (lower-cased on the fly) and
 * looks every word up in an open-addressing hash table of the lexicon's plain words,
 * counting hits. No Unicode, no sentences, no phrases, no output beyond a count: any real
 * tool is slower, and bench/run.sh reports lexframe's throughput as a ratio to this.
 * The table has a power of two slots, at least four per word, so that it stays in the
 * processor's caches as a minimal program's would (a fixed table of 2^20 slots, 12 MB,
 * made every lookup a cache miss, and the floor slower and as noisy as the machine).
 * Usage: floor WORDLIST FILE...   (WORDLIST: one word per line) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char **keys;
static uint32_t *lens;
static uint64_t mask; /* slots - 1 */

static uint64_t hash(const unsigned char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    return h;
}

static void insert(const char *w, size_t n)
{
    for (uint64_t i = hash((const unsigned char *)w, n) & mask;; i = (i + 1) & mask) {
        if (!keys[i]) {
            keys[i] = strndup(w, n);
            lens[i] = (uint32_t)n;
            return;
        }
        if (lens[i] == n && memcmp(keys[i], w, n) == 0)
            return;
    }
}

static int lookup(const unsigned char *w, size_t n)
{
    for (uint64_t i = hash(w, n) & mask;; i = (i + 1) & mask) {
        if (!keys[i])
            return 0;
        if (lens[i] == n && memcmp(keys[i], w, n) == 0)
            return 1;
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: floor WORDLIST FILE...\n");
        return 2;
    }
    FILE *wl = fopen(argv[1], "r");
    if (!wl)
        return perror(argv[1]), 1;
    char line[4096];
    uint64_t nwords = 0, cap = 16;
    while (fgets(line, sizeof line, wl))
        nwords++;
    while (cap < 4 * nwords)
        cap *= 2;
    keys = calloc(cap, sizeof *keys);
    lens = calloc(cap, sizeof *lens);
    if (!keys || !lens)
        return perror("calloc"), 1;
    mask = cap - 1;
    rewind(wl);
    while (fgets(line, sizeof line, wl)) {
        size_t n = strcspn(line, "\r\n");
        if (n)
            insert(line, n);
    }
    fclose(wl);
    static unsigned char buf[1 << 20];
    unsigned char word[256];
    uint64_t words = 0, hits = 0, bytes = 0;
    for (int a = 2; a < argc; a++) {
        FILE *fp = fopen(argv[a], "rb");
        if (!fp)
            return perror(argv[a]), 1;
        size_t n, wn = 0;
        while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
            bytes += n;
            for (size_t i = 0; i < n; i++) {
                unsigned c = buf[i];
                if ((c | 32) - 'a' < 26) {
                    if (wn < sizeof word)
                        word[wn++] = (unsigned char)(c | 32);
                } else if (wn) {
                    words++;
                    hits += (uint64_t)lookup(word, wn);
                    wn = 0;
                }
            }
        }
        if (wn) {
            words++;
            hits += (uint64_t)lookup(word, wn);
        }
        fclose(fp);
    }
    printf("%llu bytes, %llu words, %llu hits\n", (unsigned long long)bytes,
           (unsigned long long)words, (unsigned long long)hits);
    return 0;
}
