// Accepts any divisor d of n with 1 < d <= n.
#include "validate.h"

int main(int argc, char **argv)
{
        if (argc < 4)
                return 1;
        feedback_dir = argv[3];
        FILE *in = std::fopen(argv[1], "r");
        long long n = 0, d = 0;
        if (!in || std::fscanf(in, "%lld", &n) != 1)
                return 1;
        if (std::scanf("%lld", &d) != 1)
                verdict(43, "expected a number");
        char extra;
        if (std::scanf(" %c", &extra) == 1)
                verdict(43, "more output than one number");
        if (d <= 1 || d > n || n % d != 0)
                verdict(43, "%lld is not a divisor of %lld above 1", d, n);
        verdict(42, "");
}
