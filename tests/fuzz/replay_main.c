/* replay_main.c - runs the libFuzzer harness without libFuzzer.
 *
 * usage: fuzz_replay [FILE...]
 *
 * With files (a corpus, crash reproducers), feeds each one to
 * LLVMFuzzerTestOneInput().  Without, feeds a few fixed inputs and
 * pseudo-random ones from a fixed seed, so that a gcc build (no libFuzzer)
 * still exercises the harness and the engine under its sanitizers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        return 1;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
            }
            buf = bigger;
        }
    }
    fclose(fp);
    if (!buf)
        return 1;
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

static uint64_t rng_state = 0x6d77673530320001ULL;   /* fixed seed */

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        int status = 0;
        for (int i = 1; i < argc; i++)
            status |= run_file(argv[i]);
        printf("replayed %d input(s)\n", argc - 1);
        return status;
    }
    /* Fixed inputs: empty, one byte, all zeros, all ones. */
    static const uint8_t zeros[512], one[1] = { 0x42 };
    uint8_t ones[512];
    memset(ones, 0xff, sizeof ones);
    LLVMFuzzerTestOneInput(NULL, 0);
    LLVMFuzzerTestOneInput(one, sizeof one);
    LLVMFuzzerTestOneInput(zeros, sizeof zeros);
    LLVMFuzzerTestOneInput(ones, sizeof ones);
    /* Pseudo-random inputs of many sizes, biased towards the small pools
     * (bytes below 0x40 pick pooled addresses, names and ports). */
    enum { N = 3000 };
    static uint8_t buf[8192];
    for (unsigned i = 0; i < N; i++) {
        size_t len = rng() % (i % 10 == 0 ? sizeof buf : 600);
        for (size_t k = 0; k < len; k++) {
            uint32_t x = rng();
            buf[k] = (uint8_t)((x & 0x300) ? (x & 0x3f) : x);
        }
        LLVMFuzzerTestOneInput(buf, len);
    }
    printf("ran %d fixed and %d pseudo-random inputs\n", 4, N);
    return 0;
}
