# Runs the README's first program: it must exit 0 by itself within 5 s (the issue's
# bound) and print each of PATTERNS (a ;-list, in any order: its lines come from
# several threads).
execute_process(COMMAND ${PROGRAM} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err TIMEOUT 5)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "expected exit 0 within 5 s, got ${rc}\n${out}${err}")
endif()
foreach(pattern IN LISTS PATTERNS)
  if(NOT "${out}" MATCHES "${pattern}")
    message(FATAL_ERROR "no line matches \"${pattern}\" in:\n${out}${err}")
  endif()
endforeach()
message(STATUS "${out}")
