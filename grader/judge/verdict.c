/* SPDX-License-Identifier: MIT */
/* Verdict names. */
#include "verdict.h"

#include <errno.h>
#include <string.h>

static const char *const names[] = {
        [GRD_VERDICT_AC] = "AC",   [GRD_VERDICT_WA] = "WA",   [GRD_VERDICT_TLE] = "TLE",
        [GRD_VERDICT_MLE] = "MLE", [GRD_VERDICT_OLE] = "OLE", [GRD_VERDICT_RE] = "RE",
        [GRD_VERDICT_CE] = "CE",   [GRD_VERDICT_SV] = "SV",   [GRD_VERDICT_IE] = "IE",
};

const char *grd_verdict_name(enum grd_verdict v)
{
        if ((unsigned)v < sizeof(names) / sizeof(names[0]))
                return names[v];
        return "IE";
}

int grd_verdict_parse(const char *s, enum grd_verdict *ret)
{
        for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                if (!strcmp(s, names[i])) {
                        *ret = (enum grd_verdict)i;
                        return 0;
                }
        }
        return -EINVAL;
}
