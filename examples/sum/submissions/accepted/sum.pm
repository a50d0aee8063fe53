#!/usr/bin/perl
# sum: accepted (Perl). Perl adds 64-bit integers exactly as long as the sum fits (8e18 < 2^63).
use strict;
use warnings;

my $t = <STDIN>;
my @out;
for (1 .. $t) {
    my ($a, $b) = split ' ', scalar <STDIN>;
    push @out, $a + $b;
}
print join("\n", @out), "\n";
