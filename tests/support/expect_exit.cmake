# Runs COMMAND (a ;-separated list) and checks its exit status (CODE) and that its output
# matches PATTERN.
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err TIMEOUT 30)
if(NOT rc EQUAL CODE)
  message(FATAL_ERROR "expected exit ${CODE}, got ${rc}\n${out}${err}")
endif()
if(NOT "${out}${err}" MATCHES "${PATTERN}")
  message(FATAL_ERROR "output does not match ${PATTERN}:\n${out}${err}")
endif()
