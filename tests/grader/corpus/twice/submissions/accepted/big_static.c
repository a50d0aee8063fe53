/* A correct program with a 4 MiB initialised static array: its object file and binary are far
 * larger than the compiler's 64 KiB of messages, and must still be written. */
#include <stdio.h>

static char table[4 << 20] = {1};

int main(void)
{
        long long n;
        if (scanf("%lld", &n) != 1)
                return 1;
        printf("%lld\n", 2 * n * table[0]);
        return 0;
}
