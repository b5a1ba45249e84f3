/* sha256.c — SHA-256 for the manifest (nettle): of bytes in memory (a transcript as ingest
 * read it), or of a file read in fixed chunks so hashing a large one costs no more memory
 * than a small one. */
#include <errno.h>
#include <nettle/sha2.h>
#include <string.h>
#include <sys/stat.h>

#include "render.h"
#include "util.h"

void lf_sha256_digest_hex(struct sha256_ctx *ctx, char hex[65])
{
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_digest(ctx, sizeof digest, digest);
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

void lf_sha256_hex(const void *data, size_t len, char hex[65])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    lf_sha256_digest_hex(&ctx, hex);
}

lf_status lf_sha256_file(const char *path, char hex[65], uint64_t *bytes, lf_error *err)
{
    hex[0] = '\0';
    if (bytes)
        *bytes = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "cannot open for hashing: %s",
                    strerror(errno));
        return LF_ERR_INPUT;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "cannot hash a directory");
        return LF_ERR_INPUT;
    }
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    unsigned char chunk[65536];
    uint64_t total = 0;
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        sha256_update(&ctx, n, chunk);
        total += n;
    }
    if (ferror(fp)) {
        int e = errno;
        fclose(fp);
        lf_error_at(err, LF_ERR_INPUT, path, 0, 0, "read error while hashing: %s",
                    strerror(e ? e : EIO));
        return LF_ERR_INPUT;
    }
    fclose(fp);
    lf_sha256_digest_hex(&ctx, hex);
    if (bytes)
        *bytes = total;
    return LF_OK;
}
