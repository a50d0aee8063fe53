/* SPDX-License-Identifier: MIT */
/*
 * Finding a Java submission's main class the way Kattis and DOMjudge do: by reading the sources
 * for the class that declares `public static void main(String[])`, whatever the files are called.
 *
 * A reader's scan, not a compiler's: comments, string, text-block and character literals are
 * skipped; braces are tracked so that a method counts only directly inside a class, interface,
 * enum or record body; `package` gives the qualified name and a nested class is named
 * `Outer$Inner`, as the launcher wants it. The sources have compiled already, so they are Java.
 */
#include "java.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

#define MAX_DEPTH  256 /* nesting of braces the scan follows; deeper code is not a class body */
#define NAME_MAX_  256 /* a qualified class name */
#define WINDOW     12  /* tokens remembered before a '(' */
#define TOKEN_MAX  64  /* bytes of a token kept (longer identifiers are not main's words) */
#define CANDIDATES 16  /* main methods remembered */

struct token {
        char text[TOKEN_MAX];
};

struct scope {
        bool type;   /* a class, interface, enum or record body */
        bool iface;  /* an interface body: its methods are public */
        size_t name; /* length of the qualified name when this scope opened */
};

struct scan {
        const char *s;
        size_t len, pos;
        char package[NAME_MAX_];
        char name[NAME_MAX_]; /* the qualified name of the innermost type scope */
        struct scope scopes[MAX_DEPTH];
        size_t depth;
        char pending[TOKEN_MAX]; /* a type name waiting for its '{' */
        bool pending_iface, expect_type_name, expect_package;
        struct token window[WINDOW];
        size_t n_window;
};

/* Skip white space, comments and literals. Return: false at the end. */
static bool skip_blank(struct scan *sc)
{
        const char *s = sc->s;
        while (sc->pos < sc->len) {
                char c = s[sc->pos];
                if (isspace((unsigned char)c)) {
                        sc->pos++;
                } else if (c == '/' && sc->pos + 1 < sc->len && s[sc->pos + 1] == '/') {
                        while (sc->pos < sc->len && s[sc->pos] != '\n')
                                sc->pos++;
                } else if (c == '/' && sc->pos + 1 < sc->len && s[sc->pos + 1] == '*') {
                        const char *end =
                                sc->pos + 2 < sc->len
                                        ? memmem(s + sc->pos + 2, sc->len - sc->pos - 2, "*/", 2)
                                        : NULL;
                        sc->pos = end ? (size_t)(end - s) + 2 : sc->len;
                } else {
                        return true;
                }
        }
        return false;
}

/* Skip a string, text block or character literal starting at pos. */
static void skip_literal(struct scan *sc)
{
        const char *s = sc->s;
        char q = s[sc->pos];
        if (q == '"' && sc->pos + 2 < sc->len && s[sc->pos + 1] == '"' && s[sc->pos + 2] == '"') {
                sc->pos += 3;
                while (sc->pos < sc->len) {
                        if (s[sc->pos] == '\\') {
                                sc->pos += 2;
                        } else if (sc->pos + 2 < sc->len && !memcmp(s + sc->pos, "\"\"\"", 3)) {
                                sc->pos += 3;
                                return;
                        } else {
                                sc->pos++;
                        }
                }
                return;
        }
        sc->pos++;
        while (sc->pos < sc->len && s[sc->pos] != q && s[sc->pos] != '\n')
                sc->pos += s[sc->pos] == '\\' ? 2 : 1;
        sc->pos++;
}

/* The next token: an identifier, "...", or one punctuation character. Return: false at end. */
static bool next_token(struct scan *sc, struct token *t)
{
        for (;;) {
                if (!skip_blank(sc))
                        return false;
                char c = sc->s[sc->pos];
                if (c == '"' || c == '\'') {
                        skip_literal(sc);
                        continue;
                }
                size_t start = sc->pos;
                if (isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80) {
                        while (sc->pos < sc->len &&
                               (isalnum((unsigned char)sc->s[sc->pos]) || sc->s[sc->pos] == '_' ||
                                sc->s[sc->pos] == '$' || (unsigned char)sc->s[sc->pos] >= 0x80))
                                sc->pos++;
                } else if (c == '.' && sc->pos + 2 < sc->len &&
                           !memcmp(sc->s + sc->pos, "...", 3)) {
                        sc->pos += 3;
                } else {
                        sc->pos++;
                }
                size_t n = sc->pos - start;
                if (n >= sizeof(t->text))
                        n = sizeof(t->text) - 1;
                memcpy(t->text, sc->s + start, n);
                t->text[n] = '\0';
                return true;
        }
}

static bool is(const struct token *t, const char *s)
{
        return !strcmp(t->text, s);
}

/* States of the parameter scan of string_array_parameter. */
enum param {
        P_TYPE,       /* before the type: final, annotations, java.lang. */
        P_STRING,     /* String */
        P_BRACKET,    /* String[ */
        P_ARRAY,      /* String[] or String... */
        P_DONE,       /* String[] args, or String args[] */
        P_NAME,       /* String args */
        P_NAME_BRACE, /* String args[ */
};

static bool identifier(const struct token *t)
{
        return isalpha((unsigned char)t->text[0]) || t->text[0] == '_' || t->text[0] == '$';
}

/*
 * The parameter list after "main(": exactly one parameter of type String[] (String[] a,
 * String a[], String... a, java.lang.String[] a), annotations and final allowed.
 */
static bool string_array_parameter(struct scan *sc)
{
        struct token t;
        enum param st = P_TYPE;
        while (next_token(sc, &t)) {
                if (is(&t, ")"))
                        return st == P_DONE;
                if (st == P_TYPE &&
                    (is(&t, "final") || is(&t, "java") || is(&t, "lang") || is(&t, "."))) {
                        continue;
                } else if (st == P_TYPE && is(&t, "@")) {
                        next_token(sc, &t); /* the annotation's name */
                } else if (st == P_TYPE && is(&t, "String")) {
                        st = P_STRING;
                } else if (st == P_STRING && is(&t, "[")) {
                        st = P_BRACKET;
                } else if ((st == P_BRACKET && is(&t, "]")) || (st == P_STRING && is(&t, "..."))) {
                        st = P_ARRAY;
                } else if ((st == P_ARRAY || st == P_STRING) && identifier(&t)) {
                        st = st == P_ARRAY ? P_DONE : P_NAME;
                } else if (st == P_NAME && is(&t, "[")) {
                        st = P_NAME_BRACE;
                } else if (st == P_NAME_BRACE && is(&t, "]")) {
                        st = P_DONE;
                } else {
                        return false;
                }
        }
        return false;
}

/* After '(' at class-body level: do the tokens before it say "static void main"? */
static bool main_declaration(const struct scan *sc)
{
        size_t n = sc->n_window;
        if (n < 3 || !is(&sc->window[n - 1], "main") || !is(&sc->window[n - 2], "void"))
                return false;
        bool is_static = false, is_public = sc->scopes[sc->depth - 1].iface;
        for (size_t i = 0; i + 2 < n; i++) {
                is_static |= is(&sc->window[i], "static");
                is_public |= is(&sc->window[i], "public");
        }
        return is_static && is_public;
}

static void remember(struct scan *sc, const struct token *t)
{
        if (sc->n_window == WINDOW) {
                memmove(sc->window, sc->window + 1, (WINDOW - 1) * sizeof(sc->window[0]));
                sc->n_window--;
        }
        sc->window[sc->n_window++] = *t;
}

static void open_scope(struct scan *sc)
{
        struct scope *s = &sc->scopes[sc->depth++];
        *s = (struct scope){.name = strlen(sc->name)};
        if (sc->pending[0]) {
                size_t len = strlen(sc->name);
                snprintf(sc->name + len, sizeof(sc->name) - len, "%s%s", len ? "$" : "",
                         sc->pending);
                s->type = true;
                s->iface = sc->pending_iface;
                sc->pending[0] = '\0';
        }
}

struct found {
        char name[2 * NAME_MAX_ + 2]; /* package "." class */
        char top[NAME_MAX_];          /* the top-level class's simple name */
        const char *file;
};

static void scan_file(const struct grd_source *src, struct found *found, size_t *n_found)
{
        struct scan sc = {.s = (const char *)src->data, .len = src->len};
        struct token t, prev = {""};
        while (next_token(&sc, &t)) {
                bool was_expecting = sc.expect_type_name;
                sc.expect_type_name = false;
                if (sc.expect_package) {
                        if (is(&t, ";"))
                                sc.expect_package = false;
                        else if (strlen(sc.package) + strlen(t.text) < sizeof(sc.package))
                                strcat(sc.package, t.text);
                        continue;
                }
                if (sc.depth == 0 && is(&t, "package") && !sc.package[0]) {
                        sc.expect_package = true;
                } else if (was_expecting && identifier(&t)) {
                        /* "record" and friends may also be plain identifiers: only a name
                         * after them makes a declaration */
                        cmn_strlcpy(sc.pending, t.text, sizeof(sc.pending));
                } else if ((is(&t, "class") || is(&t, "interface") || is(&t, "enum") ||
                            is(&t, "record")) &&
                           !is(&prev, ".") && !is(&prev, "@")) {
                        sc.expect_type_name = true;
                        sc.pending_iface = is(&t, "interface");
                        prev = t;
                        continue;
                } else if (is(&t, "{")) {
                        if (sc.depth == MAX_DEPTH)
                                return;
                        open_scope(&sc);
                        sc.n_window = 0;
                } else if (is(&t, "}")) {
                        if (sc.depth == 0)
                                return;
                        sc.name[sc.scopes[--sc.depth].name] = '\0';
                        sc.n_window = 0;
                } else if (is(&t, ";")) {
                        sc.n_window = 0;
                } else if (is(&t, "(") && sc.depth > 0 && sc.scopes[sc.depth - 1].type &&
                           main_declaration(&sc) && string_array_parameter(&sc) &&
                           *n_found < CANDIDATES) {
                        struct found *f = &found[(*n_found)++];
                        snprintf(f->name, sizeof(f->name), "%s%s%s", sc.package,
                                 sc.package[0] ? "." : "", sc.name);
                        cmn_strlcpy(f->top, sc.name, sizeof(f->top));
                        f->top[strcspn(f->top, "$")] = '\0';
                        f->file = src->name;
                        sc.n_window = 0;
                        prev = t;
                        continue;
                }
                remember(&sc, &t);
                prev = t;
        }
}

static bool named_after_file(const struct found *f)
{
        size_t n = strlen(f->top);
        return !strncmp(f->file, f->top, n) && !strcmp(f->file + n, ".java");
}

int grd_java_main_class(const struct grd_source *src, size_t n, char *ret, size_t retlen, char *err,
                        size_t errlen)
{
        struct found found[CANDIDATES];
        size_t n_found = 0;
        for (size_t i = 0; i < n; i++) {
                const char *dot = strrchr(src[i].name, '.');
                if (dot && !strcmp(dot, ".java"))
                        scan_file(&src[i], found, &n_found);
        }
        if (n_found == 0) {
                snprintf(err, errlen, "no class declares public static void main(String[])");
                return -ENOENT;
        }
        const struct found *pick = n_found == 1 ? &found[0] : NULL;
        size_t named = 0;
        for (size_t i = 0; n_found > 1 && i < n_found; i++) {
                if (named_after_file(&found[i])) {
                        named++;
                        pick = &found[i];
                }
        }
        if (named > 1 || !pick) {
                size_t o = (size_t)snprintf(err, errlen,
                                            "%zu classes declare public static void "
                                            "main(String[]) and %s:",
                                            n_found,
                                            named > 1 ? "several are named after their file"
                                                      : "none is named after its file");
                for (size_t i = 0; i < n_found && o < errlen; i++)
                        o += (size_t)snprintf(err + o, errlen - o, "%s %s (%s)", i ? "," : "",
                                              found[i].name, found[i].file);
                return -EINVAL;
        }
        if (cmn_strlcpy(ret, pick->name, retlen) >= retlen) {
                snprintf(err, errlen, "the main class's name is too long");
                return -ENAMETOOLONG;
        }
        return 0;
}
