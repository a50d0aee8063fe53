/* SPDX-License-Identifier: MIT */
/* Fuzz target: api_parse_queues refuses any malformed GET /queues reply without crashing, and
 * what it accepts keeps the rules of docs/api.md 5.7. */
#include "api.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char err[256] = "";
        struct api_queues *q = NULL;
        int r = api_parse_queues((const char *)data, size, &q, err, sizeof(err));
        if (r < 0 && (q || !err[0]))
                abort();
        if (r == 0) {
                if (!q || q->n_queues > API_QUEUES_MAX)
                        abort();
                for (size_t i = 0; i < q->n_queues; i++) {
                        const struct api_queue *e = &q->queues[i];
                        if (!e->name || !*e->name || strlen(e->name) > API_LABEL_MAX ||
                            !(e->oldest_waiting >= 0) || !isfinite(e->oldest_waiting))
                                abort();
                }
                api_queues_free(q);
        }
        return 0;
}
