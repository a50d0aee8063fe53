#!/bin/bash
# sum: accepted. Bash arithmetic is 64-bit (intmax_t). mapfile reads every line at once, and
# each line is split by parameter expansion: no subshell, no read per line.
mapfile -t -s 1 lines
for line in "${lines[@]}"; do
	echo $((${line% *} + ${line#* }))
done
