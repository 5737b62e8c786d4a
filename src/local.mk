# src/local.mk - the library.
#
# libbuddycore.la holds every object with internal symbols hidden; the
# installed libbuddymalloc.la wraps it, and the unit tests link it
# directly to reach the internal API.
noinst_LTLIBRARIES += src/libbuddycore.la
src_libbuddycore_la_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS) -fvisibility=hidden \
	-fno-plt -ftls-model=initial-exec -fno-tree-slp-vectorize
# No libm and no libgcc_s: each would be mapped into every process that
# preloads us (430 KiB resident together) for the heap profiler alone,
# which has its own ln and expm1 (prof_math.h) and opens libgcc_s's
# unwinder when prof=1 starts (prof.c).
src_libbuddycore_la_SOURCES = \
	src/bm.h src/lock.c src/lock.h src/page.h src/gfp.h src/mmzone.h \
	src/fmt.c src/fmt.h \
	src/options.c src/options.h \
	src/os.c src/os.h \
	src/clock.c src/clock.h \
	src/mmzone.c \
	src/buddy.c src/buddy.h \
	src/watermark.c src/watermark.h \
	src/topology.c src/topology.h \
	src/node.c src/node.h \
	src/mempolicy.c src/mempolicy.h \
	src/page_alloc.c src/page_alloc.h \
	src/vmstat.c src/vmstat.h \
	src/stats.c src/stats.h \
	src/numastat.c src/numastat.h \
	src/check.c src/check.h \
	src/error.c src/error.h \
	src/debug.c src/debug.h \
	src/size_class.c src/size_class.h \
	src/slab.h src/slab_alloc.c \
	src/slab_node.c src/slab_node.h \
	src/slab_owned.c src/slab_owned.h \
	src/slab_reclaim.c src/slab_reclaim.h \
	src/slab_check.c \
	src/slab_debug.c \
	src/pcp.c src/pcp.h \
	src/tcache.c src/tcache.h \
	src/large.c src/large.h \
	src/reclaim.c src/reclaim.h \
	src/bootstrap.c src/bootstrap.h \
	src/init.c src/init.h \
	src/prof.c src/prof.h src/prof_math.h \
	src/public.c

# The exported malloc API and C++ operators live only in the installed
# library, so the unit tests keep glibc's malloc for themselves.
lib_LTLIBRARIES += libbuddymalloc.la
# -fexceptions: the C++ operators (new_delete.c) let std::bad_alloc pass
# through; the C functions compile to the same code with it.  new_delete.c
# is compiled twice by libtool, with PIC for the shared library and
# without for the archive, which takes libstdc++'s thrower differently
# (see there).
libbuddymalloc_la_CFLAGS = $(src_libbuddycore_la_CFLAGS) -fexceptions
libbuddymalloc_la_SOURCES = src/malloc.c src/malloc_slow.c src/malloc_internal.h src/malloc_fast.h \
	src/valgrind_shim.h src/classify.c src/classify.h src/realloc.c \
	src/glibc_compat.c src/new_delete.c src/prof_alloc.c src/prof_alloc.h
# hwloc and libnuma are opened with dlopen when a machine has several
# nodes (topology.c), never linked: start-up stays free of them.
libbuddymalloc_la_LIBADD = src/libbuddycore.la $(DL_LIBS) $(PTHREAD_LIBS)
libbuddymalloc_la_LDFLAGS = -version-info $(BM_LT_VERSION) -no-undefined
