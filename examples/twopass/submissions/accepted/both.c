#include <stdio.h>

int main(void)
{
        int pass;
        long long a, b;
        if (scanf("%d %lld", &pass, &a) != 2)
                return 1;
        if (pass == 1 && scanf("%lld", &b) == 1)
                printf("%lld\n", a + b);
        else
                printf("%lld\n", 2 * a);
        return 0;
}
