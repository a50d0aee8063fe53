<?php
// sum: accepted. PHP's int is 64 bits on x86-64 (PHP_INT_MAX ~ 9.2e18), enough for 8e18.
$data = preg_split('/\s+/', trim(stream_get_contents(STDIN)));
$t = (int) $data[0];
$out = [];
for ($i = 0; $i < $t; $i++) {
    $out[] = (int) $data[1 + 2 * $i] + (int) $data[2 + 2 * $i];
}
echo implode("\n", $out), "\n";
