// SPDX-License-Identifier: MIT
/*
 * mapstr.cc - the C++ program that cxx.sh runs under LD_PRELOAD (it is not
 * linked with libbuddymalloc): 4 threads fill std::maps of std::string,
 * hand them to the main thread through a shared map, and the main thread
 * checks, prints a summary and frees them.  The output is deterministic:
 * "entries 200000 bytes <n> ok".
 */
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

int main()
{
	constexpr int threads = 4, per = 50000;
	std::map<int, std::map<std::string, std::string>> all;
	std::mutex lock;
	std::vector<std::thread> pool;

	for (int t = 0; t < threads; t++)
		pool.emplace_back([&, t] {
			std::map<std::string, std::string> m;
			for (int i = 0; i < per; i++)
				m["key-" + std::to_string(t) + "-" + std::to_string(i)] =
					std::string(static_cast<size_t>(i % 97), 'a' + t) + std::to_string(i);
			std::lock_guard<std::mutex> g(lock);
			all[t] = std::move(m);
		});
	for (auto &th : pool)
		th.join();

	size_t entries = 0, bytes = 0;
	bool ok = true;
	for (auto &[t, m] : all)
		for (int i = 0; i < per; i++) {
			auto it = m.find("key-" + std::to_string(t) + "-" + std::to_string(i));
			if (it == m.end() || it->second != std::string(static_cast<size_t>(i % 97), 'a' + t) + std::to_string(i)) {
				ok = false;
				continue;
			}
			entries++;
			bytes += it->second.size();
		}
	all.clear();
	std::printf("entries %zu bytes %zu %s\n", entries, bytes, ok ? "ok" : "CORRUPT");
	return ok ? 0 : 1;
}
