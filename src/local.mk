# src/local.mk - the library.
#
# libbuddycore.la holds every object with internal symbols hidden; the
# installed libbuddymalloc.la wraps it, and the unit tests link it
# directly to reach the internal API.
noinst_LTLIBRARIES += src/libbuddycore.la
src_libbuddycore_la_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS) -fvisibility=hidden \
	-fno-plt -ftls-model=initial-exec
src_libbuddycore_la_SOURCES = \
	src/bm.h src/lock.h src/page.h src/mmzone.h \
	src/fmt.c src/fmt.h \
	src/options.c src/options.h \
	src/os.c src/os.h \
	src/buddy.c src/buddy.h \
	src/watermark.c src/watermark.h \
	src/node.c src/node.h \
	src/page_alloc.c src/page_alloc.h \
	src/vmstat.c src/vmstat.h \
	src/check.c src/check.h \
	src/init.c \
	src/public.c

lib_LTLIBRARIES += libbuddymalloc.la
libbuddymalloc_la_SOURCES =
libbuddymalloc_la_LIBADD = src/libbuddycore.la $(HWLOC_LIBS) $(NUMA_LIBS) $(PTHREAD_LIBS)
libbuddymalloc_la_LDFLAGS = -version-info $(BM_LT_VERSION) -no-undefined
