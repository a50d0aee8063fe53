#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every long option that `grader COMMAND --help` prints must appear in the man page
# (dist/grader.1), and every command in `grader --help` must have its section: the help
# texts are the source, the man page is checked against them so the two cannot drift.
# usage: manpage_options.sh GRADER MANPAGE
set -euo pipefail
grader=$1
man=$2
# roff writes a dash as \-; compare plain text
text=$(sed 's/\\-/-/g' "$man")
missing=0
commands=$("$grader" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[[ -n "$commands" ]] || { echo "no commands in 'grader --help'"; exit 1; }
for cmd in $commands; do
        if ! grep -q "^\.SS \"grader $cmd" <<<"$text"; then
                echo "man page: no section for 'grader $cmd'"
                missing=1
        fi
        opts=$("$grader" "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
        [[ -n "$opts" ]] || { echo "'grader $cmd --help' printed no option"; missing=1; }
        for o in $opts; do
                if ! grep -q -- "$o\b" <<<"$text"; then
                        echo "man page: 'grader $cmd' option $o is missing"
                        missing=1
                fi
        done
        echo "grader $cmd: $(wc -w <<<"$opts") options, all in the man page"
done
for o in --help --version; do
        grep -q -- "$o" <<<"$text" || { echo "man page: grader $o is missing"; missing=1; }
done
# the variables of grader serve (its help names them as $GRADER_...)
for v in $("$grader" serve --help | grep -o 'GRADER_[A-Z_]*' | sort -u); do
        grep -q "$v" <<<"$text" || { echo "man page: $v is missing"; missing=1; }
done
exit "$missing"
