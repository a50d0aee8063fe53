/* sum: time limit exceeded. Reads the input, then spins forever burning CPU
 * (the volatile counter keeps the compiler from removing the loop). */
#include <stdio.h>

int main(void)
{
        volatile unsigned long spins = 0;
        int t;
        if (scanf("%d", &t) != 1)
                return 0;
        for (;;)
                spins++;
}
