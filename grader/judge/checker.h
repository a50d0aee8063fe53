/* SPDX-License-Identifier: MIT */
/* The Kattis default output validator, comparing token by token in constant memory. */
#ifndef GRADER_CHECKER_H
#define GRADER_CHECKER_H

#include <stdbool.h>
#include <stddef.h>

/* A token longer than this is refused: wrong answer in the output, an error in the answer. */
#define GRD_CHECKER_TOKEN_MAX (1u << 20)

/*
 * The default validator's flags (problem.yaml validator_flags plus testdata.yaml
 * output_validator_flags). A tolerance applies only when its *_set is true.
 */
struct grd_checker_flags {
        bool case_sensitive;
        bool space_change_sensitive;
        bool float_abs_set, float_rel_set;
        double float_abs_tol, float_rel_tol;
};

/*
 * grd_checker_parse_flags - parse the default validator's arguments: "case_sensitive",
 * "space_change_sensitive", "float_tolerance E" (both tolerances), "float_absolute_tolerance E",
 * "float_relative_tolerance E". Later arguments override earlier ones. E must be a finite,
 * non-negative number. argv holds argc strings (argv may be NULL when argc is 0).
 * Return: 0 and *ret filled (all false when argc is 0); -EINVAL with err naming the bad argument.
 */
int grd_checker_parse_flags(const char *const *argv, size_t argc, struct grd_checker_flags *ret,
                            char *err, size_t errlen);

/*
 * grd_check_default - compare a program's output with the answer file as the Kattis default
 * validator does, reading both descriptors to the end of the decision (never seeking, so pipes
 * work) through fixed buffers: memory stays constant whatever the size of the files.
 *
 * Tokens are maximal runs of non-whitespace bytes (whitespace: space, \t, \n, \v, \f, \r).
 * - By default the amount and kind of whitespace between tokens does not matter (so trailing
 *   newlines, blank lines and CRLF line ends are all accepted) and tokens compare
 *   case-insensitively (ASCII).
 * - case_sensitive: tokens must match byte for byte.
 * - space_change_sensitive: every whitespace run, leading and trailing ones included, must match
 *   byte for byte ("\r\n" against "\n" is a wrong answer).
 * - With a tolerance set, an answer token that strtod reads whole into a finite double is a
 *   number: the output token must be one too, and is accepted when |a-b| <= abs_tol (if set) or
 *   |a-b| <= rel_tol*|a| (if set). "nan", "inf" and overflowing tokens are not numbers and compare
 *   as strings; long integers compare as doubles (like Kattis), so two 30-digit integers that
 *   differ only in the last digit are accepted under a tolerance and rejected without one.
 * - An empty output against a non-empty answer, fewer or more tokens than the answer, and an
 *   output token longer than GRD_CHECKER_TOKEN_MAX bytes are wrong answers.
 *
 * On a wrong answer, msg gets one line such as
 *   expected "3", got "4" on token 17 (line 2)
 * where token counts the answer's tokens from 1 and line is the output's line; on acceptance msg
 * is emptied. Both descriptors are only read; the caller closes them.
 * Return: 0 and *ret_accepted; -errno when reading fails; -E2BIG (with msg) when an answer token
 * is longer than GRD_CHECKER_TOKEN_MAX; -ENOMEM.
 */
int grd_check_default(int answer_fd, int output_fd, const struct grd_checker_flags *f,
                      bool *ret_accepted, char *msg, size_t msglen);

#endif
