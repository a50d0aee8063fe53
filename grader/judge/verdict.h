/* SPDX-License-Identifier: MIT */
/* Submission and test verdicts (docs/grading.md). */
#ifndef GRADER_VERDICT_H
#define GRADER_VERDICT_H

enum grd_verdict {
        GRD_VERDICT_AC,
        GRD_VERDICT_WA,
        GRD_VERDICT_TLE,
        GRD_VERDICT_MLE,
        GRD_VERDICT_OLE,
        GRD_VERDICT_RE,
        GRD_VERDICT_CE,
        GRD_VERDICT_SV,
        GRD_VERDICT_IE,
};

/* "AC", "WA", ... */
const char *grd_verdict_name(enum grd_verdict v);

/* Parse a verdict name; Return: 0 or -EINVAL. */
int grd_verdict_parse(const char *s, enum grd_verdict *ret);

#endif
