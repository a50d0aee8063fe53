/* SPDX-License-Identifier: MIT */
/* Test helpers around fake_site.py (see there for the scenarios): used by the api-http tests. */
#ifndef GRADER_TEST_API_SITE_H
#define GRADER_TEST_API_SITE_H

#include "api.h"

#include <jansson.h>

extern char *site_python, *site_script; /* set from argv before site_start */
extern int site_port;

/* cmocka group setup/teardown: run fake_site.py on 127.0.0.1 (and api_global_init). */
int site_start(void **state);
int site_stop(void **state);

/* The site's record of scenario scn: {"count": {path: n}, "noauth": [...]} (caller decrefs). */
json_t *site_stats(const char *scn);
/* Requests the site saw for path (relative to the base URL) under scn, and in all. */
long site_count(const char *scn, const char *path);
long site_total(const char *scn);

/* Options for a client of scenario scn (base URL written into base): quick timeouts and
 * backoff, 3 attempts. */
void site_opts(const char *scn, struct api_client_opts *o, char *base, size_t n);
struct api_client *site_client_with(const struct api_client_opts *o);
struct api_client *site_client(const char *scn);

/* A fresh cache directory (caller frees the string) and a cache opened on it. */
char *site_cache_dir(void);
struct api_cache *site_cache_open(const char *dir);

/* Assert that dir/rel holds exactly content. */
void site_expect_file(const char *dir, const char *rel, const char *content);
/* Entries in a directory, or -1 when it cannot be read. */
int site_count_entries(const char *path);

#endif
