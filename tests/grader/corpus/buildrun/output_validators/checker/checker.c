/* Accept an integer within 1 of the answer's number. */
#include <math.h>
#include <stdio.h>

int main(int argc, char **argv)
{
        if (argc < 4)
                return 1;
        FILE *ans = fopen(argv[2], "r");
        double want;
        long long got;
        if (!ans || fscanf(ans, "%lf", &want) != 1)
                return 1;
        if (scanf("%lld", &got) != 1)
                return 43;
        return fabs((double)got - want) <= 1 ? 42 : 43;
}
