/* SPDX-License-Identifier: MIT */
/*
 * A capped YAML-to-tree loader on top of libyaml's event parser: every event becomes a node or
 * closes one, with an explicit stack so nesting never recurses past GRD_YAML_MAX_DEPTH.
 */
#include "problem_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct loader {
        const char *filename;
        char *err;
        size_t errlen;
        size_t n_nodes;
        struct grd_yaml_node *stack[GRD_YAML_MAX_DEPTH + 1];
        size_t depth;
        struct grd_yaml_node *root;
        bool root_done;
};

__attribute__((format(printf, 5, 6))) static int fail(struct loader *l, int r, size_t line,
                                                      size_t column, const char *fmt, ...)
{
        char msg[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (l->errlen)
                snprintf(l->err, l->errlen, "%s:%zu:%zu: %s", l->filename, line + 1, column + 1,
                         msg);
        return r;
}

void grd_yaml_free(struct grd_yaml_node *node)
{
        if (!node)
                return;
        for (size_t i = 0; i < node->n; i++) {
                if (node->keys)
                        grd_yaml_free(node->keys[i]);
                grd_yaml_free(node->items[i]);
        }
        /* a key still waiting for its value when loading failed */
        if (node->keys && node->n < node->cap)
                grd_yaml_free(node->keys[node->n]);
        free(node->keys);
        free(node->items);
        free(node->value);
        free(node);
}

static struct grd_yaml_node *node_new(struct loader *l, enum grd_yaml_type type,
                                      const yaml_mark_t *mark, int *r)
{
        if (l->n_nodes >= GRD_YAML_MAX_NODES) {
                *r = fail(l, -EFBIG, mark->line, mark->column, "more than %u nodes",
                          GRD_YAML_MAX_NODES);
                return NULL;
        }
        struct grd_yaml_node *n = calloc(1, sizeof(*n));
        if (!n) {
                *r = -ENOMEM;
                return NULL;
        }
        l->n_nodes++;
        n->type = type;
        n->line = (unsigned)(mark->line + 1);
        n->column = (unsigned)(mark->column + 1);
        return n;
}

static bool scalar_equal(const struct grd_yaml_node *a, const struct grd_yaml_node *b)
{
        return a->len == b->len && memcmp(a->value, b->value, a->len) == 0;
}

/* Attach a finished node to the open container on top of the stack (or make it the root). */
static int attach(struct loader *l, struct grd_yaml_node *n)
{
        if (l->depth == 0) {
                if (l->root_done) {
                        int r = fail(l, -EINVAL, n->line - 1, n->column - 1,
                                     "more than one document");
                        grd_yaml_free(n);
                        return r;
                }
                l->root = n;
                l->root_done = true;
                return 0;
        }
        struct grd_yaml_node *parent = l->stack[l->depth - 1];
        bool want_key = parent->type == GRD_YAML_MAP && (!parent->keys || !parent->keys[parent->n]);
        if (parent->type == GRD_YAML_MAP && want_key) {
                if (n->type != GRD_YAML_SCALAR) {
                        int r = fail(l, -EINVAL, n->line - 1, n->column - 1,
                                     "map keys must be scalars");
                        grd_yaml_free(n);
                        return r;
                }
                for (size_t i = 0; parent->keys && i < parent->n; i++) {
                        if (scalar_equal(parent->keys[i], n)) {
                                int r = fail(l, -EINVAL, n->line - 1, n->column - 1,
                                             "duplicate key '%.64s'", n->value);
                                grd_yaml_free(n);
                                return r;
                        }
                }
        }
        /* keep one spare slot so keys[n] can hold a pending key */
        if (parent->n + 1 >= parent->cap) {
                size_t cap = parent->cap ? parent->cap * 2 : 8;
                struct grd_yaml_node **items = realloc(parent->items, cap * sizeof(*items));
                if (!items) {
                        grd_yaml_free(n);
                        return -ENOMEM;
                }
                parent->items = items;
                if (parent->type == GRD_YAML_MAP) {
                        struct grd_yaml_node **keys = realloc(parent->keys, cap * sizeof(*keys));
                        if (!keys) {
                                grd_yaml_free(n);
                                return -ENOMEM;
                        }
                        memset(keys + parent->cap, 0, (cap - parent->cap) * sizeof(*keys));
                        parent->keys = keys;
                }
                parent->cap = cap;
        }
        if (want_key)
                parent->keys[parent->n] = n;
        else
                parent->items[parent->n++] = n;
        return 0;
}

static int on_event(struct loader *l, const yaml_event_t *ev)
{
        int r = 0;
        struct grd_yaml_node *n;
        switch (ev->type) {
        case YAML_NO_EVENT:
        case YAML_STREAM_START_EVENT:
        case YAML_STREAM_END_EVENT:
        case YAML_DOCUMENT_START_EVENT:
        case YAML_DOCUMENT_END_EVENT:
                return 0;
        case YAML_ALIAS_EVENT:
                return fail(l, -EINVAL, ev->start_mark.line, ev->start_mark.column,
                            "aliases are not supported");
        case YAML_SCALAR_EVENT:
                if (ev->data.scalar.length > GRD_YAML_MAX_SCALAR)
                        return fail(l, -EFBIG, ev->start_mark.line, ev->start_mark.column,
                                    "scalar longer than %u bytes", GRD_YAML_MAX_SCALAR);
                n = node_new(l, GRD_YAML_SCALAR, &ev->start_mark, &r);
                if (!n)
                        return r;
                n->value = malloc(ev->data.scalar.length + 1);
                if (!n->value) {
                        grd_yaml_free(n);
                        return -ENOMEM;
                }
                memcpy(n->value, ev->data.scalar.value, ev->data.scalar.length);
                n->value[ev->data.scalar.length] = '\0';
                n->len = ev->data.scalar.length;
                n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                return attach(l, n);
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
                if (l->depth >= GRD_YAML_MAX_DEPTH)
                        return fail(l, -EFBIG, ev->start_mark.line, ev->start_mark.column,
                                    "nested deeper than %u levels", GRD_YAML_MAX_DEPTH);
                n = node_new(l, ev->type == YAML_MAPPING_START_EVENT ? GRD_YAML_MAP : GRD_YAML_SEQ,
                             &ev->start_mark, &r);
                if (!n)
                        return r;
                /* open containers live on the stack; attach() happens when they close */
                l->stack[l->depth++] = n;
                return 0;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
                if (l->depth == 0)
                        return fail(l, -EINVAL, ev->start_mark.line, ev->start_mark.column,
                                    "unbalanced end of collection");
                n = l->stack[--l->depth];
                return attach(l, n);
        }
        return 0;
}

int grd_yaml_load(const char *buf, size_t len, const char *filename,
                  struct grd_yaml_node **ret_root, char *err, size_t errlen)
{
        struct loader l = {.filename = filename, .err = err, .errlen = errlen};
        if (errlen)
                err[0] = '\0';
        if (len > GRD_YAML_MAX_BYTES) {
                if (errlen)
                        snprintf(err, errlen, "%s: larger than %u bytes", filename,
                                 GRD_YAML_MAX_BYTES);
                return -EFBIG;
        }
        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
        int r = 0;
        for (;;) {
                yaml_event_t ev;
                if (!yaml_parser_parse(&parser, &ev)) {
                        if (parser.error == YAML_MEMORY_ERROR)
                                r = -ENOMEM;
                        else
                                r = fail(&l, -EINVAL, parser.problem_mark.line,
                                         parser.problem_mark.column, "%s%s%s",
                                         parser.problem ? parser.problem : "malformed YAML",
                                         parser.context ? " " : "",
                                         parser.context ? parser.context : "");
                        break;
                }
                bool end = ev.type == YAML_STREAM_END_EVENT;
                r = on_event(&l, &ev);
                yaml_event_delete(&ev);
                if (r < 0 || end)
                        break;
        }
        yaml_parser_delete(&parser);
        /* on failure, free what is still open on the stack (each owns its attached children) */
        while (l.depth > 0)
                grd_yaml_free(l.stack[--l.depth]);
        if (r < 0) {
                grd_yaml_free(l.root);
                return r;
        }
        *ret_root = l.root;
        return 0;
}

const struct grd_yaml_node *grd_yaml_get(const struct grd_yaml_node *map, const char *key)
{
        if (!map || map->type != GRD_YAML_MAP)
                return NULL;
        size_t klen = strlen(key);
        for (size_t i = 0; i < map->n; i++)
                if (map->keys[i]->len == klen && memcmp(map->keys[i]->value, key, klen) == 0)
                        return map->items[i];
        return NULL;
}

bool grd_yaml_is_null(const struct grd_yaml_node *node)
{
        if (!node)
                return true;
        if (node->type != GRD_YAML_SCALAR || !node->plain)
                return false;
        static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
        for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
                if (strcmp(node->value, nulls[i]) == 0)
                        return true;
        return false;
}
