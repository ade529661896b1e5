# ctest script: install into WORK_DIR/prefix, build the consumer against it, run it.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  message(STATUS "${what}: ok")
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run("install" ${CMAKE_COMMAND} --install ${VIGIL_BINARY_DIR} --prefix ${prefix})
if(NOT EXISTS ${prefix}/include/vigil/actors/agent.hpp)
  message(FATAL_ERROR "headers are not installed as <vigil/...>")
endif()
run("configure consumer" ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR}
    -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release
    "-DVIGIL_COMPONENTS=${COMPONENTS}")
run("build consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build -j2)
run("run consumer" ${WORK_DIR}/build/consumer)
if(NOT last_output MATCHES "consumer: agent c1 is idle")
  message(FATAL_ERROR "unexpected consumer output:\n${last_output}")
endif()
