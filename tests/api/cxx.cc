// SPDX-License-Identifier: MIT
/*
 * cxx.cc - C++ on the allocator: std::map, std::string and std::vector
 * built in some threads and destroyed in others (strings moved between
 * threads through a shared map), and operator new/delete in every form:
 * plain, array, nothrow, sized delete, aligned (std::align_val_t) with
 * its sized and nothrow variants, over-aligned types, and failure
 * (std::bad_alloc, nothrow giving nullptr).  The tests check contents and
 * alignments.
 */
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <malloc.h>

#include "test.h"

static bool aligned_to(const void *p, std::size_t a)
{
	return (reinterpret_cast<std::uintptr_t>(p) & (a - 1)) == 0;
}

static std::string value_of(unsigned t, unsigned i)
{
	// Long enough to live on the heap, length varying with i.
	return "thread " + std::to_string(t) + " item " + std::to_string(i) +
	       std::string(i % 300, static_cast<char>('a' + i % 26));
}

static void test_containers_across_threads()
{
	constexpr unsigned threads = 4, items = 20000;
	std::map<std::string, std::string> shared;
	std::mutex lock;
	std::atomic<int> failures{0};
	std::vector<std::thread> pool;

	// Each thread builds its own map and vector, checks them, then moves
	// its strings into the shared map.
	for (unsigned t = 0; t < threads; t++)
		pool.emplace_back([&, t] {
			std::map<unsigned, std::string> mine;
			std::vector<std::vector<int>> vecs;
			for (unsigned i = 0; i < items; i++) {
				mine[i] = value_of(t, i);
				vecs.emplace_back(i % 100, static_cast<int>(i));
			}
			for (unsigned i = 0; i < items; i++) {
				if (mine[i] != value_of(t, i))
					failures++;
				if (vecs[i].size() != i % 100 ||
				    (!vecs[i].empty() && vecs[i].back() != static_cast<int>(i)))
					failures++;
			}
			std::lock_guard<std::mutex> g(lock);
			for (auto &kv : mine)
				shared.emplace("k" + std::to_string(t) + "/" + std::to_string(kv.first),
					       std::move(kv.second));
		});
	for (auto &th : pool)
		th.join();
	pool.clear();
	CHECK_EQ(failures.load(), 0);
	CHECK_EQ(shared.size(), threads * items);

	// Other threads check and erase what the first ones built.
	for (unsigned t = 0; t < threads; t++)
		pool.emplace_back([&, t] {
			unsigned owner = (t + 1) % threads;
			for (unsigned i = 0; i < items; i++) {
				std::string key = "k" + std::to_string(owner) + "/" + std::to_string(i);
				std::lock_guard<std::mutex> g(lock);
				auto it = shared.find(key);
				if (it == shared.end() || it->second != value_of(owner, i))
					failures++;
				else
					shared.erase(it);
			}
		});
	for (auto &th : pool)
		th.join();
	CHECK_EQ(failures.load(), 0);
	CHECK(shared.empty());
}

struct alignas(128) Wide {
	unsigned char bytes[200];
};

struct alignas(4096) Page {
	int x;
};

static void test_new_delete_forms()
{
	// Plain and array.
	int *i = new int(42);
	CHECK(*i == 42);
	delete i;
	int *a = new int[1000]();
	bool zero = true;
	for (int k = 0; k < 1000; k++)
		zero = zero && a[k] == 0;
	CHECK(zero);
	delete[] a;

	// Nothrow.
	double *d = new (std::nothrow) double[64];
	CHECK(d != nullptr);
	delete[] d;
	int *n = new (std::nothrow) int(7);
	CHECK(n != nullptr && *n == 7);
	delete n;

	// Raw operator new with sized delete, every size up to 4096 and some
	// larger ones.
	for (std::size_t s = 1; s <= 4096; s++) {
		void *p = ::operator new(s);
		CHECK(malloc_usable_size(p) >= s);
		std::memset(p, 0x6b, s);
		::operator delete(p, s);
	}
	for (std::size_t s = 8192; s <= (std::size_t{16} << 20); s *= 4) {
		void *p = ::operator new[](s);
		std::memset(p, 0x6c, s);
		::operator delete[](p, s);
	}

	// Aligned: every power of two from 1 to 1 MiB, with each delete form.
	for (std::size_t al = 1; al <= (std::size_t{1} << 20); al <<= 1) {
		std::align_val_t av{al};
		for (std::size_t s : {std::size_t{1}, std::size_t{100}, al, al + 1, std::size_t{70000}}) {
			void *p = ::operator new(s, av);
			CHECK(aligned_to(p, al));
			std::memset(p, 1, s);
			::operator delete(p, s, av);
			p = ::operator new[](s, av);
			CHECK(aligned_to(p, al));
			std::memset(p, 2, s);
			::operator delete[](p, av);
			p = ::operator new(s, av, std::nothrow);
			CHECK(p != nullptr && aligned_to(p, al));
			::operator delete(p, av, std::nothrow);
			p = ::operator new[](s, av, std::nothrow);
			CHECK(p != nullptr && aligned_to(p, al));
			::operator delete[](p, s, av);
		}
	}

	// Over-aligned types through new-expressions.
	Wide *w = new Wide;
	CHECK(aligned_to(w, 128));
	std::memset(w->bytes, 3, sizeof(w->bytes));
	delete w;
	Wide *wa = new Wide[17];
	CHECK(aligned_to(wa, 128));
	for (int k = 0; k < 17; k++)
		std::memset(wa[k].bytes, k, sizeof(wa[k].bytes));
	delete[] wa;
	Page *pg = new Page[3];
	CHECK(aligned_to(pg, 4096) && aligned_to(&pg[1], 4096));
	delete[] pg;

	// Failure: too large for anything.
	volatile std::size_t huge = SIZE_MAX / 2;
	bool threw = false;
	try {
		void *p = ::operator new(huge);
		::operator delete(p);
	} catch (const std::bad_alloc &) {
		threw = true;
	}
	CHECK(threw);
	threw = false;
	try {
		void *p = ::operator new(huge, std::align_val_t{64});
		::operator delete(p, std::align_val_t{64});
	} catch (const std::bad_alloc &) {
		threw = true;
	}
	CHECK(threw);
	CHECK(::operator new(huge, std::nothrow) == nullptr);
	CHECK(::operator new[](huge, std::align_val_t{256}, std::nothrow) == nullptr);
}

int main()
{
	RUN_TEST(test_containers_across_threads);
	RUN_TEST(test_new_delete_forms);
	return test_exit();
}
