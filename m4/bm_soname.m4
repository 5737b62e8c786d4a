# BM_CHECK_SONAME(NAME, LIBS, HEADER, CALL, DEFAULT)
# Link a program that calls CALL from HEADER with LIBS and read the soname
# it records for libNAME; sets bm_soname (DEFAULT when it cannot tell).
AC_DEFUN([BM_CHECK_SONAME], [
  AC_MSG_CHECKING([the soname of lib$1])
  bm_soname=
  bm_save_LIBS=$LIBS
  LIBS="$2 $LIBS"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <$3>]], [[$4]])],
    [bm_soname=`$OBJDUMP -p conftest$EXEEXT 2>/dev/null | \
       sed -n 's/^ *NEEDED *\(lib$1\.so[[^ ]]*\).*/\1/p' | head -n 1`])
  LIBS=$bm_save_LIBS
  AS_IF([test -z "$bm_soname"], [bm_soname=$5])
  AC_MSG_RESULT([$bm_soname])
])
