/* Guesses once, then dereferences a null pointer. */
#include <stdio.h>

int main(void)
{
        printf("500000000\n");
        fflush(stdout);
        char reply[16];
        if (scanf("%15s", reply) == 1 && reply[0] != 'c') {
                volatile int *p = NULL;
                return *p;
        }
        return 0;
}
