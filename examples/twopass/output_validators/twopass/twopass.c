/* SPDX-License-Identifier: MIT */
/*
 * Output validator of "Two Passes". Pass 1 (input "1 a b"): the output must be a+b; then it
 * writes "2 a+b" to feedback/nextpass.in and accepts, which asks for pass 2. Pass 2 (input
 * "2 s"): the output must be 2s. A note per pass goes to judgemessage.txt, appended, so the
 * message shows that the feedback dir persisted between the passes.
 */
#include <stdio.h>

#define AC 42
#define WA 43

static int judge(const char *dir, int code, const char *msg)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/judgemessage.txt", dir);
        FILE *f = fopen(path, "a");
        if (f) {
                fprintf(f, "%s\n", msg);
                fclose(f);
        }
        return code;
}

int main(int argc, char **argv)
{
        if (argc < 4)
                return 1;
        FILE *in = fopen(argv[1], "r");
        int pass;
        long long a = 0, b = 0, got;
        if (!in || fscanf(in, "%d %lld", &pass, &a) != 2 ||
            (pass == 1 && fscanf(in, "%lld", &b) != 1))
                return 1;
        fclose(in);
        if (scanf("%lld", &got) != 1)
                return judge(argv[3], WA, "no number in the output");
        if (pass == 2)
                return judge(argv[3], got == 2 * a ? AC : WA,
                             got == 2 * a ? "pass 2 ok" : "pass 2: wrong double");
        if (got != a + b)
                return judge(argv[3], WA, "pass 1: wrong sum");
        char path[4096];
        snprintf(path, sizeof(path), "%s/nextpass.in", argv[3]);
        FILE *next = fopen(path, "w");
        if (!next)
                return 1;
        fprintf(next, "2 %lld\n", got);
        fclose(next);
        return judge(argv[3], AC, "pass 1 ok");
}
