/* SPDX-License-Identifier: MIT */
/* Fuzz target: api_parse_manifest refuses any malformed manifest without crashing, and every
 * path it accepts stays inside the package directory. */
#include "api.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
        if (!ok)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char err[256] = "";
        struct api_manifest *m = NULL;
        int r = api_parse_manifest((const char *)data, size, &m, err, sizeof(err));
        if (r < 0) {
                check(m == NULL && strlen(err) > 0);
                return 0;
        }
        uint64_t total = 0;
        for (size_t i = 0; i < m->n_files; i++) {
                const struct api_manifest_file *f = &m->files[i];
                const char *p = f->path;
                check(p[0] && p[0] != '/' && !strstr(p, "//") && !strchr(p, '\\'));
                check(strcmp(p, "..") && strncmp(p, "../", 3) && !strstr(p, "/../"));
                size_t n = strlen(p);
                check(n <= API_PATH_MAX && p[n - 1] != '/');
                check(!(n >= 3 && !strcmp(p + n - 3, "/..")));
                check(strlen(f->sha256) == 64 && f->url[0]);
                check(f->size <= API_BLOB_SIZE_MAX);
                total += f->size;
        }
        check(total == m->total_size);
        api_manifest_free(m);
        return 0;
}
