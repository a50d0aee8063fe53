/* SPDX-License-Identifier: MIT */
/* Fuzz target: api_parse_heartbeat refuses any malformed reply without crashing, and a lease it
 * accepts is in range. */
#include "api.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char err[256] = "";
        double lease = -1;
        int r = api_parse_heartbeat((const char *)data, size, &lease, err, sizeof(err));
        if (r == 0 && !(lease > 0 && lease <= API_LEASE_MAX))
                abort();
        if (r < 0 && (lease != -1 || !err[0]))
                abort();
        return 0;
}
