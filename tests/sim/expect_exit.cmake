# Runs vigil-sim (SIM) on FILE and checks its exit status (CODE) and that its output
# matches PATTERN.
# EXTRA: more arguments, separated by ";" (e.g. "--store;/x.db"). FRESH: a file removed
# first (a store left by an earlier run).
if(DEFINED FRESH)
  file(REMOVE ${FRESH} ${FRESH}-wal ${FRESH}-shm)
endif()
execute_process(COMMAND ${SIM} ${FILE} --quiet ${EXTRA} RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL CODE)
  message(FATAL_ERROR "expected exit ${CODE}, got ${rc}\n${out}${err}")
endif()
if(NOT "${out}${err}" MATCHES "${PATTERN}")
  message(FATAL_ERROR "output does not match ${PATTERN}:\n${out}${err}")
endif()
