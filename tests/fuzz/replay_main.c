/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay_main.c - runs a libFuzzer harness without libFuzzer.
 *
 * usage: fuzz_replay [FILE...]
 *        fuzz_decode_replay --write-seeds DIR
 *
 * With files (a corpus, crash reproducers), feeds each one to
 * LLVMFuzzerTestOneInput().  Without, feeds a few fixed inputs and
 * pseudo-random ones from a fixed seed, so that a gcc build (no libFuzzer)
 * still exercises the harness and the code under test under its sanitizers.
 *
 * Compiled with FUZZ_REPLAY_SEEDS, the harness also provides seed inputs
 * built in code (fuzz_replay_seeds()): they are fed as they are and with
 * pseudo-random mutations, which reach further than noise; --write-seeds
 * writes them as files into DIR, with DIR/seed-list naming them all for
 * libFuzzer's -seed_inputs=@DIR/seed-list.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef FUZZ_REPLAY_SEEDS
/* Calls emit() once for each seed input. */
void fuzz_replay_seeds(void (*emit)(const uint8_t *data, size_t size, const char *name, void *ctx), void *ctx);
#endif

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

#ifdef FUZZ_REPLAY_SEEDS
typedef struct {
    uint8_t *data;
    size_t size;
} seed;

typedef struct {
    seed *all;
    size_t n;
} seed_list;

static void keep_seed(const uint8_t *data, size_t size, const char *name, void *ctx)
{
    seed_list *l = ctx;
    (void)name;
    seed *bigger = realloc(l->all, (l->n + 1) * sizeof *l->all);
    uint8_t *copy = malloc(size ? size : 1);
    if (!bigger || !copy)
        abort();
    memcpy(copy, data, size);
    l->all = bigger;
    l->all[l->n].data = copy;
    l->all[l->n++].size = size;
}

typedef struct {
    const char *dir;
    FILE *list;
    unsigned n;
    int status;
} seed_writer;

static void write_seed(const uint8_t *data, size_t size, const char *name, void *ctx)
{
    seed_writer *w = ctx;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", w->dir, name);
    FILE *fp = fopen(path, "wb");
    bool written = fp && fwrite(data, 1, size, fp) == size;
    if (fp && fclose(fp) != 0)
        written = false;
    if (!written) {
        perror(path);
        w->status = 1;
        return;
    }
    fprintf(w->list, "%s%s", w->n++ ? "," : "", path);
}

static int write_seeds(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/seed-list", dir);
    seed_writer w = { dir, fopen(path, "w"), 0, 0 };
    if (!w.list) {
        perror(path);
        return 1;
    }
    fuzz_replay_seeds(write_seed, &w);
    if (fclose(w.list) != 0)
        w.status = 1;
    printf("wrote %u seed(s) and %s\n", w.n, path);
    return w.status;
}

/* A seed with a few random changes: bytes set or flipped, a 16-bit field
 * set to a boundary value, the input cut short or grown. */
static size_t mutate(const seed *s, uint8_t *buf, size_t cap)
{
    size_t len = s->size < cap ? s->size : cap;
    memcpy(buf, s->data, len);
    unsigned changes = 1 + rng() % 4;
    for (unsigned i = 0; i < changes && len > 0; i++) {
        size_t at = rng() % len;
        switch (rng() % 6) {
        case 0:
            buf[at] = (uint8_t)rng();
            break;
        case 1:
            buf[at] ^= (uint8_t)(1u << rng() % 8);
            break;
        case 2:
            if (at + 1 < len) {
                static const uint16_t edge[] = { 0, 1, 0x7f, 0xff, 0x100, 0x3fff, 0x8000, 0xc00c, 0xffff };
                uint16_t v = edge[rng() % (sizeof edge / sizeof edge[0])];
                buf[at] = (uint8_t)(v >> 8);
                buf[at + 1] = (uint8_t)v;
            }
            break;
        case 3:
            len = at + 1;
            break;
        case 4:
            while (len < cap && rng() % 8)
                buf[len++] = (uint8_t)rng();
            break;
        default:
            buf[0] = (uint8_t)rng();
            break;
        }
    }
    return len;
}
#endif

int main(int argc, char **argv)
{
#ifdef FUZZ_REPLAY_SEEDS
    if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0)
        return write_seeds(argv[2]);
#endif
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
#ifdef FUZZ_REPLAY_SEEDS
    enum { MUTANTS = 1000000 };
    seed_list seeds = { NULL, 0 };
    fuzz_replay_seeds(keep_seed, &seeds);
    for (size_t i = 0; i < seeds.n; i++)
        LLVMFuzzerTestOneInput(seeds.all[i].data, seeds.all[i].size);
    for (unsigned i = 0; i < MUTANTS && seeds.n; i++) {
        size_t len = mutate(&seeds.all[rng() % seeds.n], buf, sizeof buf);
        LLVMFuzzerTestOneInput(buf, len);
    }
    printf("ran %zu seed inputs and %d mutations of them\n", seeds.n, MUTANTS);
    for (size_t i = 0; i < seeds.n; i++)
        free(seeds.all[i].data);
    free(seeds.all);
#endif
    return 0;
}
