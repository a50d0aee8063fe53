/*
 * Output validator for `anyorder` (Kattis/ICPC output validator interface).
 *
 *   checker input_file answer_file feedback_dir [flags...] < team_output
 *
 * The input holds T and then T integers N (3 <= N <= 10^18). For every N the
 * team must print two positive integers a, b with a + b = N and a != b; any
 * such pair is right, so the answer file (one valid pair per line) is not
 * needed and is ignored.
 *
 * Exit status: 42 accepted, 43 wrong answer (with a one-line reason in
 * feedback_dir/judgemessage.txt), 1 judge error (bad input file or arguments,
 * reason in feedback_dir/judgeerror.txt and on stderr).
 *
 * The team output is untrusted: it is read one byte at a time, tokens are cut
 * at whitespace and kept to a bounded length, numbers are checked for
 * overflow, and whatever the bytes (NUL, binary junk, endless digits) the
 * checker ends with 42 or 43.
 *
 * Standard C17, no libraries: cc -std=c17 -O2 -o checker checker.c
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_AC = 42, EXIT_WA = 43, EXIT_JE = 1 };

#define MAX_N     UINT64_C(1000000000000000000) /* 10^18 */
#define TOKEN_MAX 40                            /* longer tokens are kept truncated */

#if defined(__GNUC__)
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PRINTF_LIKE(fmt, args)
#endif

static const char *feedback_dir = NULL; /* set from argv[3]; no files before that */

/* Writes a one-line message to feedback_dir/name (best effort). */
PRINTF_LIKE(2, 0) static void vfeedback(const char *name, const char *fmt, va_list ap)
{
        char path[4096];
        if (feedback_dir == NULL)
                return;
        size_t len = strlen(feedback_dir);
        const char *sep = (len > 0 && feedback_dir[len - 1] == '/') ? "" : "/";
        if (snprintf(path, sizeof path, "%s%s%s", feedback_dir, sep, name) >= (int)sizeof path)
                return;
        FILE *f = fopen(path, "w");
        if (f == NULL)
                return;
        vfprintf(f, fmt, ap);
        fputc('\n', f);
        fclose(f);
}

PRINTF_LIKE(1, 2) static _Noreturn void wrong_answer(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vfeedback("judgemessage.txt", fmt, ap);
        va_end(ap);
        exit(EXIT_WA);
}

PRINTF_LIKE(1, 2) static _Noreturn void judge_error(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vfeedback("judgeerror.txt", fmt, ap);
        va_end(ap);
        va_start(ap, fmt);
        fputs("checker: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        exit(EXIT_JE);
}

static int is_space(int c)
{
        return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Reads the next whitespace-separated token of f into buf (NUL-terminated,
 * at most TOKEN_MAX bytes kept, the rest of the token consumed). Returns the
 * full length of the token, 0 at end of file.
 */
static size_t next_token(FILE *f, char buf[TOKEN_MAX + 1])
{
        int c;
        size_t len = 0;
        do
                c = getc(f);
        while (c != EOF && is_space(c));
        while (c != EOF && !is_space(c)) {
                if (len < TOKEN_MAX)
                        buf[len] = (char)c;
                len++;
                c = getc(f);
        }
        buf[len < TOKEN_MAX ? len : TOKEN_MAX] = '\0';
        return len;
}

/*
 * Parses a token of decimal digits only (leading zeros allowed), value at most
 * 10^18. Returns 0 on success, -2 for digits only but too large (or longer
 * than TOKEN_MAX), -1 for anything else.
 */
static int parse_u64(const char *tok, size_t len, uint64_t *out)
{
        uint64_t v = 0;
        size_t kept = len < TOKEN_MAX ? len : TOKEN_MAX;
        if (len == 0)
                return -1;
        for (size_t i = 0; i < kept; i++)
                if (tok[i] < '0' || tok[i] > '9')
                        return -1;
        if (len > TOKEN_MAX)
                return -2;
        for (size_t i = 0; i < len; i++) {
                uint64_t d = (uint64_t)(tok[i] - '0');
                if (v > (MAX_N - d) / 10)
                        return -2;
                v = v * 10 + d;
        }
        *out = v;
        return 0;
}

/* Copies a token into a printable form for messages: non-printing bytes as '?'. */
static const char *printable(const char *tok, size_t len)
{
        static char buf[TOKEN_MAX + 4];
        size_t n = len < TOKEN_MAX ? len : TOKEN_MAX; /* tok may hold NUL bytes */
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)tok[i];
                buf[i] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
        }
        if (len > n)
                memcpy(buf + n, "...", 4);
        else
                buf[n] = '\0';
        return buf;
}

/* Reads one team number for line `line`; `what` is "a" or "b". */
static uint64_t team_number(unsigned long line, const char *what)
{
        char tok[TOKEN_MAX + 1];
        size_t len = next_token(stdin, tok);
        uint64_t v;
        if (len == 0)
                wrong_answer("line %lu: expected %s, found end of output", line, what);
        switch (parse_u64(tok, len, &v)) {
        case 0:
                break;
        case -2:
                if (len > TOKEN_MAX)
                        wrong_answer("line %lu: %s = %s has %zu digits, too many", line, what,
                                     printable(tok, len), len);
                wrong_answer("line %lu: %s = %s is larger than 10^18", line, what,
                             printable(tok, len));
        default:
                wrong_answer("line %lu: expected %s as a positive integer, found \"%s\"", line,
                             what, printable(tok, len));
        }
        if (v == 0)
                wrong_answer("line %lu: %s must be positive, found 0", line, what);
        return v;
}

int main(int argc, char **argv)
{
        if (argc < 4)
                judge_error(
                        "usage: %s input_file answer_file feedback_dir [flags...] < team_output",
                        argc > 0 ? argv[0] : "checker");
        feedback_dir = argv[3];

        FILE *in = fopen(argv[1], "r");
        if (in == NULL)
                judge_error("cannot open input file %s: %s", argv[1], strerror(errno));
        FILE *ans = fopen(argv[2], "r"); /* must exist per the spec; not used */
        if (ans == NULL)
                judge_error("cannot open answer file %s: %s", argv[2], strerror(errno));
        fclose(ans);

        char tok[TOKEN_MAX + 1];
        size_t len = next_token(in, tok);
        uint64_t t;
        if (parse_u64(tok, len, &t) != 0 || t < 1 || t > 1000000)
                judge_error("input file: bad number of test lines \"%s\"", printable(tok, len));

        for (uint64_t i = 1; i <= t; i++) {
                uint64_t n;
                len = next_token(in, tok);
                if (parse_u64(tok, len, &n) != 0 || n < 3)
                        judge_error("input file: bad N on line %llu", (unsigned long long)i);

                unsigned long line = (unsigned long)i;
                uint64_t a = team_number(line, "a");
                uint64_t b = team_number(line, "b");
                /* a, b <= 10^18, so a + b cannot overflow 64 bits */
                if (a + b != n)
                        wrong_answer("line %lu: %llu + %llu = %llu, but N = %llu", line,
                                     (unsigned long long)a, (unsigned long long)b,
                                     (unsigned long long)(a + b), (unsigned long long)n);
                if (a == b)
                        wrong_answer("line %lu: a and b must differ, both are %llu", line,
                                     (unsigned long long)a);
        }
        fclose(in);

        len = next_token(stdin, tok);
        if (len != 0)
                wrong_answer("extra output after the last line: \"%s\"", printable(tok, len));
        return EXIT_AC;
}
