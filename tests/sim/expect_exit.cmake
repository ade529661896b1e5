# Runs vigil-sim (SIM) on FILE and checks its exit status (CODE) and that its output
# matches PATTERN.
execute_process(COMMAND ${SIM} ${FILE} --quiet RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL CODE)
  message(FATAL_ERROR "expected exit ${CODE}, got ${rc}\n${out}${err}")
endif()
if(NOT "${out}${err}" MATCHES "${PATTERN}")
  message(FATAL_ERROR "output does not match ${PATTERN}:\n${out}${err}")
endif()
