# man/local.mk - buddymalloc(3), generated from the option and counter
# tables by man/gen-man, a program of ours that make builds and runs.
noinst_PROGRAMS += man/gen-man
man_gen_man_SOURCES = man/gen-man.c src/options.c src/fmt.c src/os.c
man_gen_man_LDADD =
nodist_man_MANS = man/buddymalloc.3
man/buddymalloc.3: man/gen-man$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) man && man/gen-man$(EXEEXT) > $@.tmp && mv $@.tmp $@
CLEANFILES += man/buddymalloc.3

# Every key and counter in the page, and groff renders it without a warning.
TESTS += tests/man.sh
EXTRA_DIST += tests/man.sh
