#!/bin/sh
# SPDX-License-Identifier: MIT
# gxx.sh - g++ under LD_PRELOAD (the driver, cc1plus, as and ld all
# inherit it) compiles and links a small C++17 program using templates,
# std::map, std::string and std::vector at -O2; the program, run, prints
# the known answer.
# Debian packages: g++.
. "$(dirname "$0")/lib.sh"
need_tool g++ g++

cat > "$TMP/t.cc" <<'CCEOF'
#include <algorithm>
#include <iostream>
#include <map>
#include <numeric>
#include <string>
#include <vector>

template <typename T> static T total(const std::vector<T> &v) { return std::accumulate(v.begin(), v.end(), T{}); }

int main()
{
	std::map<std::string, std::vector<long>> m;
	for (long i = 0; i < 1000; i++)
		m["k" + std::to_string(i % 10)].push_back(i);
	long s = 0;
	for (auto &[k, v] : m)
		s += total(v) * static_cast<long>(k.size());
	std::vector<std::string> keys;
	for (auto &kv : m)
		keys.push_back(kv.first);
	std::reverse(keys.begin(), keys.end());
	std::cout << s << " " << keys.front() << " " << m.size() << "\n";
}
CCEOF
check_mapped cat
BUDDYMALLOC_STATS=1 preload g++ -std=c++17 -O2 -o "$TMP/t" "$TMP/t.cc" 2> "$TMP/err" ||
	fail "g++ under LD_PRELOAD: $(grep -v '^---\|^[a-z_]* [0-9]*$' "$TMP/err" | tail -n 5)"
[ "$("$TMP/t")" = "999000 k9 10" ] || fail "the compiled program printed '$("$TMP/t")'"
# The compiler proper ran under the preload and printed its report too.
check_report "$TMP/err"
echo "PASS: g++"
