/* SPDX-License-Identifier: MIT */
/*
 * The default output validator: a token-by-token comparison of the answer file and a program's
 * output in constant memory.
 *
 * Theory of operation. Each side is a `stream`: one descriptor read through a fixed buffer. The
 * slow path reads one token from each side (a token spanning a buffer boundary is kept in the
 * buffer by moving it to the front, and only a token longer than the whole buffer is copied to a
 * scratch area capped at GRD_CHECKER_TOKEN_MAX) and compares the pair. The fast path exists
 * because most outputs that are judged are right: when both sides are at a token boundary, it
 * finds how many upcoming bytes are identical on both sides (memcmp, which is as fast as cmp),
 * backs off to the last whitespace byte inside that identical run, and skips the run on both
 * sides at once, only counting lines and tokens for the messages. Identical bytes always make
 * identical tokens and identical whitespace, and equal tokens are accepted under every flag, so
 * skipping them cannot change the decision. When the sides disagree often (CRLF against LF, or
 * numbers within tolerance), the fast path backs off exponentially so it costs nearly nothing.
 */
#include "checker.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 256 KiB per side: large enough that read(2) and memcmp dominate, small enough for L2. */
#define BUF_SIZE (256u * 1024u)
/* The fast path refills a side whose unread window fell below this. */
#define REFILL_BELOW (BUF_SIZE / 2)
/* A fast-path attempt that skips less than this is a failure and doubles the back-off. */
#define FAST_MIN_PROGRESS 512u
#define FAST_MAX_BACKOFF  4096u
/* How much of a token a message quotes. */
#define QUOTE_MAX 40u

#define END_OF_STREAM 256

static const unsigned char space_tbl[256] = {
        [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1,
};

struct stream {
        int fd;
        unsigned char *buf;
        size_t pos, len;
        bool eof;
        uint64_t total;  /* bytes read so far */
        uint64_t line;   /* line of buf[pos], from 1 */
        uint64_t tokens; /* tokens that start before buf[pos] */
        unsigned char *scratch;
};

struct token {
        const unsigned char *p;
        size_t len;
        bool found;
        bool too_long;
        uint64_t line;
};

struct ctx {
        const struct grd_checker_flags *f;
        struct stream ans, out;
        char *msg;
        size_t msglen;
        char *numbuf; /* NUL-terminated copy of a token for strtod */
        size_t numcap;
        unsigned fast_wait, fast_backoff;
};

enum { CMP_CONTINUE, CMP_ACCEPT, CMP_REJECT };

__attribute__((format(printf, 2, 3))) static int reject(struct ctx *c, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        if (c->msglen)
                vsnprintf(c->msg, c->msglen, fmt, ap);
        va_end(ap);
        return CMP_REJECT;
}

int grd_checker_parse_flags(const char *const *argv, size_t argc, struct grd_checker_flags *ret,
                            char *err, size_t errlen)
{
        struct grd_checker_flags f = {0};
        for (size_t i = 0; i < argc; i++) {
                const char *a = argv[i];
                if (strcmp(a, "case_sensitive") == 0) {
                        f.case_sensitive = true;
                        continue;
                }
                if (strcmp(a, "space_change_sensitive") == 0) {
                        f.space_change_sensitive = true;
                        continue;
                }
                bool abs = strcmp(a, "float_absolute_tolerance") == 0;
                bool rel = strcmp(a, "float_relative_tolerance") == 0;
                bool both = strcmp(a, "float_tolerance") == 0;
                if (!abs && !rel && !both) {
                        if (errlen)
                                snprintf(err, errlen, "unknown default validator flag '%.64s'", a);
                        return -EINVAL;
                }
                if (i + 1 == argc) {
                        if (errlen)
                                snprintf(err, errlen, "'%s' needs a value", a);
                        return -EINVAL;
                }
                const char *v = argv[++i];
                char *end;
                errno = 0;
                double d = strtod(v, &end);
                if (!*v || *end || errno == ERANGE || !isfinite(d) || d < 0) {
                        if (errlen)
                                snprintf(err, errlen,
                                         "'%s' needs a finite non-negative number, not '%.64s'", a,
                                         v);
                        return -EINVAL;
                }
                if (abs || both) {
                        f.float_abs_set = true;
                        f.float_abs_tol = d;
                }
                if (rel || both) {
                        f.float_rel_set = true;
                        f.float_rel_tol = d;
                }
        }
        *ret = f;
        return 0;
}

/*
 * Byte tests on 8 bytes at a time (SWAR) for the loops that touch every byte: each test leaves
 * the high bit of a byte set exactly when the byte passes, with no carry between bytes.
 */
#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* High bit of every zero byte of x. */
static inline uint64_t zero_bytes(uint64_t x)
{
        return ~(((x & ~HIGHS) + ~HIGHS) | x | ~HIGHS);
}

/* High bit of every whitespace byte of x: ' ' or 9..13 (\t \n \v \f \r). */
static inline uint64_t space_bytes(uint64_t x)
{
        uint64_t low = x & ~HIGHS;
        uint64_t ge9 = low + (0x80 - 9) * ONES, ge14 = low + (0x80 - 14) * ONES;
        return ((ge9 & ~ge14 & ~x) & HIGHS) | zero_bytes(x ^ (0x20 * ONES));
}

static inline uint64_t count_highs(uint64_t m)
{
        return ((m >> 7) * ONES) >> 56;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1
#else
#define SWAR 0
#endif

/* The index of the first whitespace byte in b[i..n), or n. */
static inline size_t token_end(const unsigned char *b, size_t i, size_t n)
{
#if SWAR
        for (; i + 8 <= n; i += 8) {
                uint64_t x;
                memcpy(&x, b + i, 8);
                uint64_t sp = space_bytes(x);
                if (sp)
                        return i + ((size_t)__builtin_ctzll(sp) >> 3);
        }
#endif
        while (i < n && !space_tbl[b[i]])
                i++;
        return i;
}

/* Read more bytes after buf[len]. Return: bytes read, 0 at end of file, or -errno. */
static ssize_t read_more(struct stream *s)
{
        if (s->eof || s->len >= BUF_SIZE)
                return 0;
        for (;;) {
                ssize_t n = read(s->fd, s->buf + s->len, BUF_SIZE - s->len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        s->eof = true;
                s->len += (size_t)n;
                s->total += (uint64_t)n;
                return n;
        }
}

/* Move the unread window to the front of the buffer. */
static void compact(struct stream *s)
{
        if (s->pos == 0)
                return;
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->pos = 0;
}

/* The next byte without consuming it. Return: 0..255, END_OF_STREAM, or -errno. */
static int peek(struct stream *s)
{
        while (s->pos == s->len) {
                if (s->eof)
                        return END_OF_STREAM;
                s->pos = s->len = 0;
                ssize_t r = read_more(s);
                if (r < 0)
                        return (int)r;
        }
        return s->buf[s->pos];
}

/* Skip whitespace and read one token. Return: 0 (t->found false at the end) or -errno. */
static int next_token(struct stream *s, struct token *t)
{
        t->found = t->too_long = false;
        t->len = 0;
        for (;;) {
                size_t i = s->pos;
                while (i < s->len && space_tbl[s->buf[i]]) {
                        s->line += s->buf[i] == '\n';
                        i++;
                }
                s->pos = i;
                if (i < s->len)
                        break;
                if (s->eof)
                        return 0;
                s->pos = s->len = 0;
                ssize_t r = read_more(s);
                if (r < 0)
                        return (int)r;
        }
        t->found = true;
        t->line = s->line;
        s->tokens++;
        size_t start = s->pos, i = s->pos, in_scratch = 0;
        for (;;) {
                i = token_end(s->buf, i, s->len);
                if (i < s->len || s->eof)
                        break;
                if (start > 0) {
                        /* keep the token's beginning: move it to the front, read behind it */
                        s->pos = start;
                        compact(s);
                        i -= start;
                        start = 0;
                } else if (s->len == BUF_SIZE) {
                        /* the token fills the whole buffer: continue it in the scratch area */
                        if (in_scratch + s->len > GRD_CHECKER_TOKEN_MAX) {
                                t->too_long = true;
                                s->pos = s->len;
                                return 0;
                        }
                        if (!s->scratch && !(s->scratch = malloc(GRD_CHECKER_TOKEN_MAX)))
                                return -ENOMEM;
                        memcpy(s->scratch + in_scratch, s->buf, s->len);
                        in_scratch += s->len;
                        s->pos = s->len = i = 0;
                }
                ssize_t r = read_more(s);
                if (r < 0)
                        return (int)r;
        }
        s->pos = i;
        if (in_scratch) {
                if (in_scratch + (i - start) > GRD_CHECKER_TOKEN_MAX) {
                        t->too_long = true;
                        return 0;
                }
                memcpy(s->scratch + in_scratch, s->buf + start, i - start);
                t->p = s->scratch;
                t->len = in_scratch + (i - start);
        } else {
                t->p = s->buf + start;
                t->len = i - start;
        }
        return 0;
}

/* Quote at most QUOTE_MAX bytes of a token for a message, escaping what is not printable. */
static const char *quote(const unsigned char *p, size_t len, char *buf, size_t size)
{
        size_t o = 0;
        buf[o++] = '"';
        for (size_t i = 0; i < len && i < QUOTE_MAX && o + 8 < size; i++) {
                unsigned char ch = p[i];
                if (ch == '"' || ch == '\\') {
                        buf[o++] = '\\';
                        buf[o++] = (char)ch;
                } else if (ch < 0x20 || ch >= 0x7f) {
                        o += (size_t)snprintf(buf + o, size - o, "\\x%02x", ch);
                } else {
                        buf[o++] = (char)ch;
                }
        }
        if (len > QUOTE_MAX && o + 5 < size) {
                memcpy(buf + o, "...", 3);
                o += 3;
        }
        buf[o++] = '"';
        buf[o] = '\0';
        return buf;
}

static const char *describe(int ch, char *buf, size_t size)
{
        switch (ch) {
        case END_OF_STREAM:
                return "end of output";
        case ' ':
                return "space";
        case '\t':
                return "tab";
        case '\n':
                return "newline";
        case '\r':
                return "carriage return";
        case '\v':
                return "vertical tab";
        case '\f':
                return "form feed";
        default: {
                unsigned char b[1] = {(unsigned char)ch};
                return quote(b, 1, buf, size);
        }
        }
}

/* space_change_sensitive: the whitespace run before the next token must match byte for byte. */
static int match_space(struct ctx *c)
{
        struct stream *a = &c->ans, *o = &c->out;
        char b1[16], b2[16];
        for (;;) {
                int ca = peek(a);
                if (ca < 0)
                        return ca;
                if (ca == END_OF_STREAM || !space_tbl[ca])
                        break;
                int co = peek(o);
                if (co < 0)
                        return co;
                if (co != ca)
                        return reject(c, "whitespace differs on line %llu: expected %s, got %s",
                                      (unsigned long long)o->line, describe(ca, b1, sizeof(b1)),
                                      describe(co, b2, sizeof(b2)));
                a->pos++;
                o->pos++;
                a->line += ca == '\n';
                o->line += ca == '\n';
        }
        int co = peek(o);
        if (co < 0)
                return co;
        if (co != END_OF_STREAM && space_tbl[co])
                return reject(c, "unexpected %s in the output on line %llu",
                              describe(co, b1, sizeof(b1)), (unsigned long long)o->line);
        return CMP_CONTINUE;
}

/* A token is a number when strtod reads all of it into a finite double. Return: 1, 0, -ENOMEM. */
static int parse_number(struct ctx *c, const struct token *t, double *ret)
{
        unsigned char first = t->p[0];
        if (!((first >= '0' && first <= '9') || first == '+' || first == '-' || first == '.'))
                return 0;
        if (t->len + 1 > c->numcap) {
                size_t cap = t->len + 1 < 256 ? 256 : t->len + 1;
                char *nb = realloc(c->numbuf, cap);
                if (!nb)
                        return -ENOMEM;
                c->numbuf = nb;
                c->numcap = cap;
        }
        memcpy(c->numbuf, t->p, t->len);
        c->numbuf[t->len] = '\0';
        char *end;
        double v = strtod(c->numbuf, &end);
        if (end != c->numbuf + t->len || !isfinite(v))
                return 0;
        *ret = v;
        return 1;
}

static bool equal_nocase(const unsigned char *a, const unsigned char *b, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                unsigned char x = a[i], y = b[i];
                if (x == y)
                        continue;
                if (x >= 'A' && x <= 'Z')
                        x = (unsigned char)(x + 32);
                if (y >= 'A' && y <= 'Z')
                        y = (unsigned char)(y + 32);
                if (x != y)
                        return false;
        }
        return true;
}

static int compare_tokens(struct ctx *c, const struct token *ta, const struct token *to)
{
        const struct grd_checker_flags *f = c->f;
        char q1[QUOTE_MAX * 4 + 8], q2[QUOTE_MAX * 4 + 8];
        unsigned long long n = (unsigned long long)c->ans.tokens;
        unsigned long long line = (unsigned long long)to->line;
        /* identical tokens are accepted under every flag: skip strtod and case folding */
        if (ta->len == to->len && memcmp(ta->p, to->p, ta->len) == 0)
                return CMP_CONTINUE;
        if (f->float_abs_set || f->float_rel_set) {
                double va, vo;
                int r = parse_number(c, ta, &va);
                if (r < 0)
                        return r;
                if (r) {
                        r = parse_number(c, to, &vo);
                        if (r < 0)
                                return r;
                        if (!r)
                                return reject(c,
                                              "expected a number like %s, got %s on token %llu "
                                              "(line %llu)",
                                              quote(ta->p, ta->len, q1, sizeof(q1)),
                                              quote(to->p, to->len, q2, sizeof(q2)), n, line);
                        double diff = fabs(va - vo);
                        if ((f->float_abs_set && diff <= f->float_abs_tol) ||
                            (f->float_rel_set && diff <= f->float_rel_tol * fabs(va)))
                                return CMP_CONTINUE;
                        return reject(c,
                                      "expected %s, got %s on token %llu (line %llu): "
                                      "difference %g is above the tolerance",
                                      quote(ta->p, ta->len, q1, sizeof(q1)),
                                      quote(to->p, to->len, q2, sizeof(q2)), n, line, diff);
                }
        }
        bool same = ta->len == to->len && (f->case_sensitive ? memcmp(ta->p, to->p, ta->len) == 0
                                                             : equal_nocase(ta->p, to->p, ta->len));
        if (same)
                return CMP_CONTINUE;
        return reject(c, "expected %s, got %s on token %llu (line %llu)",
                      quote(ta->p, ta->len, q1, sizeof(q1)), quote(to->p, to->len, q2, sizeof(q2)),
                      n, line);
}

/* Length of the common prefix of a and b (n bytes each): memcmp in blocks, then bytes. */
static size_t common_prefix(const unsigned char *a, const unsigned char *b, size_t n)
{
        size_t i = 0;
        while (n - i >= 4096 && memcmp(a + i, b + i, 4096) == 0)
                i += 4096;
        while (n - i >= 64 && memcmp(a + i, b + i, 64) == 0)
                i += 64;
        while (i < n && a[i] == b[i])
                i++;
        return i;
}

/*
 * Count newlines and token starts in a skipped run. The byte before the run is whitespace or
 * the end of an already counted token, so a non-space first byte starts a new token; a
 * multiplication adds up the per-byte bits of the SWAR tests.
 */
static void count_run(const unsigned char *p, size_t n, uint64_t *lines, uint64_t *tokens)
{
        uint64_t nl = 0, tk = 0;
        size_t i = 0;
#if SWAR
        uint64_t carry = 0x80; /* "the byte before was whitespace", at bit 7 of byte 0 */
        for (; i + 8 <= n; i += 8) {
                uint64_t x;
                memcpy(&x, p + i, 8);
                uint64_t sp = space_bytes(x);
                nl += count_highs(zero_bytes(x ^ ('\n' * ONES)));
                tk += count_highs(~sp & HIGHS & ((sp << 8) | carry));
                carry = sp >> 56;
        }
        unsigned prev = i ? (unsigned)(carry >> 7) : 1;
#else
        unsigned prev = 1;
#endif
        for (; i < n; i++) {
                unsigned sp = space_tbl[p[i]];
                tk += prev & (sp ^ 1u);
                prev = sp;
                nl += p[i] == '\n';
        }
        *lines += nl;
        *tokens += tk;
}

/* Skip the identical bytes ahead of both sides. Return: CMP_ACCEPT when both ended identical. */
static int fast_forward(struct ctx *c, uint64_t *progress)
{
        struct stream *a = &c->ans, *o = &c->out;
        for (;;) {
                if (!a->eof && a->len - a->pos < REFILL_BELOW) {
                        compact(a);
                        ssize_t r = read_more(a);
                        if (r < 0)
                                return (int)r;
                }
                if (!o->eof && o->len - o->pos < REFILL_BELOW) {
                        compact(o);
                        ssize_t r = read_more(o);
                        if (r < 0)
                                return (int)r;
                }
                size_t na = a->len - a->pos, no = o->len - o->pos;
                size_t n = na < no ? na : no;
                const unsigned char *pa = a->buf + a->pos;
                size_t k = common_prefix(pa, o->buf + o->pos, n);
                if (k == na && k == no && a->eof && o->eof) {
                        count_run(pa, k, &o->line, &o->tokens);
                        return CMP_ACCEPT;
                }
                /* back off to just after the last whitespace byte of the identical run */
                size_t j = k;
                while (j > 0 && !space_tbl[pa[j - 1]])
                        j--;
                if (j == 0)
                        return CMP_CONTINUE;
                uint64_t lines = 0, tokens = 0;
                count_run(pa, j, &lines, &tokens);
                a->line += lines;
                o->line += lines;
                a->tokens += tokens;
                o->tokens += tokens;
                a->pos += j;
                o->pos += j;
                *progress += j;
                if (k < n)
                        return CMP_CONTINUE;
        }
}

static int compare(struct ctx *c)
{
        struct stream *a = &c->ans, *o = &c->out;
        char q1[QUOTE_MAX * 4 + 8];
        for (;;) {
                if (c->fast_wait > 0) {
                        c->fast_wait--;
                } else {
                        uint64_t progress = 0;
                        int r = fast_forward(c, &progress);
                        if (r < 0 || r == CMP_ACCEPT)
                                return r;
                        if (progress >= FAST_MIN_PROGRESS) {
                                c->fast_backoff = 0;
                        } else {
                                c->fast_backoff = c->fast_backoff ? c->fast_backoff * 2 : 1;
                                if (c->fast_backoff > FAST_MAX_BACKOFF)
                                        c->fast_backoff = FAST_MAX_BACKOFF;
                        }
                        c->fast_wait = c->fast_backoff;
                }
                if (c->f->space_change_sensitive) {
                        int r = match_space(c);
                        if (r != CMP_CONTINUE)
                                return r;
                }
                struct token ta, to;
                int r = next_token(a, &ta);
                if (r < 0)
                        return r;
                if (ta.too_long) {
                        if (c->msglen)
                                snprintf(c->msg, c->msglen,
                                         "token %llu (line %llu) of the answer file is longer "
                                         "than %u bytes",
                                         (unsigned long long)a->tokens, (unsigned long long)ta.line,
                                         GRD_CHECKER_TOKEN_MAX);
                        return -E2BIG;
                }
                r = next_token(o, &to);
                if (r < 0)
                        return r;
                if (!ta.found) {
                        if (!to.found)
                                return CMP_ACCEPT;
                        if (to.too_long)
                                return reject(c,
                                              "output has more tokens than the answer (%llu): "
                                              "a very long one on line %llu",
                                              (unsigned long long)a->tokens,
                                              (unsigned long long)to.line);
                        return reject(c,
                                      "output has more tokens than the answer (%llu): %s on "
                                      "line %llu",
                                      (unsigned long long)a->tokens,
                                      quote(to.p, to.len, q1, sizeof(q1)),
                                      (unsigned long long)to.line);
                }
                if (!to.found) {
                        if (o->total == 0)
                                return reject(c, "output is empty, expected %s",
                                              quote(ta.p, ta.len, q1, sizeof(q1)));
                        return reject(c, "output ended early: expected %s on token %llu",
                                      quote(ta.p, ta.len, q1, sizeof(q1)),
                                      (unsigned long long)a->tokens);
                }
                if (to.too_long)
                        return reject(c,
                                      "token too long: token %llu (line %llu) of the output is "
                                      "longer than %u bytes",
                                      (unsigned long long)a->tokens, (unsigned long long)to.line,
                                      GRD_CHECKER_TOKEN_MAX);
                r = compare_tokens(c, &ta, &to);
                if (r != CMP_CONTINUE)
                        return r;
        }
}

int grd_check_default(int answer_fd, int output_fd, const struct grd_checker_flags *f,
                      bool *ret_accepted, char *msg, size_t msglen)
{
        static const struct grd_checker_flags none;
        struct ctx c = {
                .f = f ? f : &none,
                .ans = {.fd = answer_fd, .line = 1},
                .out = {.fd = output_fd, .line = 1},
                .msg = msg,
                .msglen = msglen,
        };
        if (msglen)
                msg[0] = '\0';
        int r = -ENOMEM;
        c.ans.buf = malloc(BUF_SIZE);
        c.out.buf = malloc(BUF_SIZE);
        if (c.ans.buf && c.out.buf)
                r = compare(&c);
        free(c.ans.buf);
        free(c.out.buf);
        free(c.ans.scratch);
        free(c.out.scratch);
        free(c.numbuf);
        if (r < 0)
                return r;
        if (r == CMP_ACCEPT && msglen)
                msg[0] = '\0';
        *ret_accepted = r == CMP_ACCEPT;
        return 0;
}
