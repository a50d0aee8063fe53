/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for libFuzzer's main so every fuzz target also runs in the ordinary suite:
 * feed each seed file of a corpus folder, then a bounded number of random mutations of them
 * (bit flips, truncation, byte insertion and splicing). A crash or sanitizer report fails the
 * test. Usage: fuzz-NAME ITERATIONS CORPUS_DIR
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int main(int argc, char **argv);

#define MAX_SEEDS 256
#define MAX_SEED  (1 << 20)

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
        /* xorshift64*: deterministic so a failure reproduces */
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return rng_state * 0x2545F4914F6CDD1Dull;
}

static size_t mutate(uint8_t *buf, size_t len, size_t cap, const uint8_t *other, size_t olen)
{
        unsigned rounds = 1 + (unsigned)(rng() % 8);
        for (unsigned r = 0; r < rounds; r++) {
                switch (rng() % 6) {
                case 0: /* flip a bit */
                        if (len)
                                buf[rng() % len] ^= (uint8_t)(1u << (rng() % 8));
                        break;
                case 1: /* truncate */
                        if (len)
                                len = rng() % len;
                        break;
                case 2: /* insert a random byte */
                        if (len < cap) {
                                size_t at = len ? rng() % (len + 1) : 0;
                                memmove(buf + at + 1, buf + at, len - at);
                                buf[at] = (uint8_t)rng();
                                len++;
                        }
                        break;
                case 3: /* insert an interesting byte */
                        if (len < cap) {
                                static const char special[] = "{}[]\":,0-9eE.\\\n\t -:'#&*!|>";
                                size_t at = len ? rng() % (len + 1) : 0;
                                memmove(buf + at + 1, buf + at, len - at);
                                buf[at] = (uint8_t)special[rng() % (sizeof(special) - 1)];
                                len++;
                        }
                        break;
                case 4: /* splice in part of another seed */
                        if (olen && len < cap) {
                                size_t from = rng() % olen;
                                size_t n = 1 + rng() % (olen - from);
                                if (n > cap - len)
                                        n = cap - len;
                                size_t at = len ? rng() % (len + 1) : 0;
                                memmove(buf + at + n, buf + at, len - at);
                                memcpy(buf + at, other + from, n);
                                len += n;
                        }
                        break;
                default: /* duplicate a chunk */
                        if (len && len < cap) {
                                size_t from = rng() % len;
                                size_t n = 1 + rng() % (len - from);
                                if (n > cap - len)
                                        n = cap - len;
                                memmove(buf + len, buf + from, n);
                                len += n;
                        }
                        break;
                }
        }
        return len;
}

int main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr, "usage: %s ITERATIONS CORPUS_DIR\n", argv[0]);
                return 2;
        }
        long iterations = strtol(argv[1], NULL, 10);
        uint8_t *seeds[MAX_SEEDS];
        size_t sizes[MAX_SEEDS];
        size_t n = 0;
        DIR *d = opendir(argv[2]);
        if (!d) {
                perror(argv[2]);
                return 2;
        }
        struct dirent *de;
        while ((de = readdir(d)) && n < MAX_SEEDS) {
                if (de->d_name[0] == '.')
                        continue;
                char path[4096];
                snprintf(path, sizeof(path), "%s/%s", argv[2], de->d_name);
                FILE *f = fopen(path, "rb");
                if (!f)
                        continue;
                uint8_t *buf = malloc(MAX_SEED);
                size_t len = fread(buf, 1, MAX_SEED, f);
                fclose(f);
                seeds[n] = buf;
                sizes[n] = len;
                n++;
        }
        closedir(d);
        if (n == 0) {
                fprintf(stderr, "%s: no seeds\n", argv[2]);
                return 2;
        }
        for (size_t i = 0; i < n; i++)
                LLVMFuzzerTestOneInput(seeds[i], sizes[i]);
        size_t cap = 4 * 65536;
        uint8_t *buf = malloc(cap);
        for (long it = 0; it < iterations; it++) {
                size_t a = rng() % n, b = rng() % n;
                size_t len = sizes[a] < cap ? sizes[a] : cap;
                memcpy(buf, seeds[a], len);
                len = mutate(buf, len, cap, seeds[b], sizes[b]);
                /* a private copy of exactly len bytes, so ASan sees reads past the end */
                uint8_t *in = malloc(len ? len : 1);
                memcpy(in, buf, len);
                LLVMFuzzerTestOneInput(in, len);
                free(in);
        }
        free(buf);
        for (size_t i = 0; i < n; i++)
                free(seeds[i]);
        printf("fuzz: %zu seeds, %ld mutations, no crash\n", n, iterations);
        return 0;
}
