/* sum: memory limit exceeded. Builds a useless 1 GiB "cache" in 16 MiB steps,
 * writing every byte so that every page is really resident, then answers
 * correctly. Under a 256 MiB limit it dies (malloc fails, or the kernel kills
 * it) after about 16 steps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK = 16 << 20, CHUNKS = 64 }; /* 64 x 16 MiB = 1 GiB */

static unsigned char *cache[CHUNKS];

int main(void)
{
        unsigned long check = 0;
        for (int i = 0; i < CHUNKS; i++) {
                cache[i] = malloc(CHUNK);
                if (cache[i] == NULL) {
                        fputs("out of memory\n", stderr);
                        abort();
                }
                memset(cache[i], i + 1, CHUNK);
                check += cache[i][i];
        }
        int t;
        if (scanf("%d", &t) != 1)
                return 0;
        while (t-- > 0) {
                long long a, b;
                if (scanf("%lld %lld", &a, &b) != 2)
                        break;
                printf("%lld\n", a + b);
        }
        fprintf(stderr, "check %lu\n", check);
        return 0;
}
