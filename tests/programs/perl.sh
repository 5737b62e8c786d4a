#!/bin/sh
# SPDX-License-Identifier: MIT
# perl.sh - perl under LD_PRELOAD: a hash of 200,000 keys, string
# building, regular expressions, sort and join; the result must match
# perl without preload and the known counts.
# Debian packages: perl-base (perl).
. "$(dirname "$0")/lib.sh"
need_tool perl perl-base

cat > "$TMP/t.pl" <<'PLEOF'
use strict; use warnings;
my %h;
for my $i (0 .. 199999) { $h{"key$i"} = ("x" x ($i % 64)) . $i; }
delete $h{"key$_"} for grep { $_ % 5 == 0 } 0 .. 199999;
my $matches = grep { /^x{10,20}\d+7$/ } values %h;
my @sorted = sort keys %h;
my $joined = join(",", @sorted[0 .. 999]);
my $sum = 0; $sum += length($_) for values %h;
my @words = split /,/, $joined;
printf "%d %d %d %d %s\n", scalar(keys %h), $matches, $sum, scalar(@words), $sorted[-1];
PLEOF

perl "$TMP/t.pl" > "$TMP/want" || fail "perl without preload"
check_mapped perl -e 'open my $f, "<", $ARGV[0] or die; print <$f>;'
BUDDYMALLOC_STATS=1 preload perl "$TMP/t.pl" > "$TMP/got" 2> "$TMP/err" ||
	fail "perl under LD_PRELOAD: $(tail -n 5 "$TMP/err")"
cmp -s "$TMP/want" "$TMP/got" || fail "output differs: $(cat "$TMP/got") vs $(cat "$TMP/want")"
grep -q '^160000 [0-9]* [0-9]* 1000 key99999$' "$TMP/got" || fail "unexpected output: $(cat "$TMP/got")"
check_report "$TMP/err"
echo "PASS: perl"
