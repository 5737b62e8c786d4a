// SPDX-License-Identifier: MIT
/*
 * bad_alloc.cc - the program cxx_static.sh links with libbuddymalloc in
 * two ways (-static with libbuddymalloc.a, and -static-libstdc++ with
 * libbuddymalloc.so): a new that cannot be served calls the new_handler
 * while there is one, then throws std::bad_alloc, which main catches.
 * Prints "handler N caught bad_alloc" (N: the handler's calls).
 */
#include <cstdio>
#include <new>

static volatile size_t huge = static_cast<size_t>(1) << 46;	// 64 TiB
static int handler_calls;

static void handler()
{
	handler_calls++;
	std::set_new_handler(nullptr);	// the next failure throws
}

int main()
{
	std::set_new_handler(handler);
	try {
		char *p = new char[huge];
		std::printf("allocated %p\n", static_cast<void *>(p));
		return 1;
	} catch (const std::bad_alloc &) {
		std::printf("handler %d caught bad_alloc\n", handler_calls);
	}
	return 0;
}
