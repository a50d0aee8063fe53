/* SPDX-License-Identifier: MIT */
/*
 * Interactor of "Guess the Number": reads the hidden number from the test's input, then
 * answers each guess of the submission with "lower", "higher" or "correct". At most 30 guesses;
 * anything that is not a number in range is a wrong answer. Invoked as
 * `interactor input answer feedback_dir [args]`, the submission on stdin and stdout.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AC          42
#define WA          43
#define MAX_GUESSES 30
#define MAX_N       1000000000LL

static FILE *feedback;

static int verdict(int code, const char *msg, long long guesses)
{
        if (feedback)
                fprintf(feedback, "%s after %lld guesses\n", msg, guesses);
        return code;
}

int main(int argc, char **argv)
{
        if (argc < 4)
                return 1;         /* not our protocol: a judge error */
        signal(SIGPIPE, SIG_IGN); /* a submission that left early is its problem, not ours */
        FILE *in = fopen(argv[1], "r");
        long long secret;
        if (!in || fscanf(in, "%lld", &secret) != 1)
                return 1;
        fclose(in);
        char path[4096];
        snprintf(path, sizeof(path), "%s/judgemessage.txt", argv[3]);
        feedback = fopen(path, "w");
        for (long long n = 1; n <= MAX_GUESSES; n++) {
                char word[32];
                if (scanf("%31s", word) != 1)
                        return verdict(WA, "no guess before the end of output", n - 1);
                char *end;
                long long g = strtoll(word, &end, 10);
                if (*end || g < 1 || g > MAX_N)
                        return verdict(WA, "not a number in 1..1000000000", n);
                if (g == secret) {
                        printf("correct\n");
                        fflush(stdout);
                        return verdict(AC, "found", n);
                }
                printf("%s\n", g > secret ? "lower" : "higher");
                fflush(stdout);
        }
        return verdict(WA, "too many guesses", MAX_GUESSES);
}
