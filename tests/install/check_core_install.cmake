# ctest script: configures vigil in WORK_DIR with no component (SQLite, Redis, nodes and
# web OFF), builds and installs it into WORK_DIR/prefix, then builds and runs a consumer that
# links vigil::core only, and checks with ldd that it needs no libsqlite3, libhiredis
# or libboost_url.
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

run("configure vigil (core only)" ${CMAKE_COMMAND} -S ${VIGIL_SOURCE_DIR}
    -B ${WORK_DIR}/vigil -DCMAKE_BUILD_TYPE=Release -DVIGIL_WITH_SQLITE=OFF
    -DVIGIL_WITH_REDIS=OFF -DVIGIL_WITH_NODES=OFF -DVIGIL_WITH_WEB=OFF -DVIGIL_BUILD_TESTS=OFF
    -DVIGIL_BUILD_EXAMPLES=OFF)
if(NOT last_output MATCHES "vigil components: core\n")
  message(FATAL_ERROR "expected a build with the core only, found:\n${last_output}")
endif()
run("build vigil (core only)" ${CMAKE_COMMAND} --build ${WORK_DIR}/vigil -j2)
run("install vigil (core only)" ${CMAKE_COMMAND} --install ${WORK_DIR}/vigil
    --prefix ${prefix})
foreach(absent vigil_sqlite_targets.cmake vigil_redis_targets.cmake
               vigil_nodes_targets.cmake vigil_web_targets.cmake)
  if(EXISTS ${prefix}/lib/cmake/vigil/${absent})
    message(FATAL_ERROR "expected no ${absent} in a core-only install, found one")
  endif()
endforeach()
run("configure core consumer" ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR}
    -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run("build core consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build -j2)
run("run core consumer" ${WORK_DIR}/build/core_consumer)
if(NOT last_output MATCHES "core consumer: agent c1 is idle")
  message(FATAL_ERROR "unexpected core consumer output:\n${last_output}")
endif()
run("run kit consumer" ${WORK_DIR}/build/kit_consumer)
if(NOT last_output MATCHES "kit consumer: c1 is idle, then offline")
  message(FATAL_ERROR "unexpected kit consumer output:\n${last_output}")
endif()
run("ldd core consumer" ldd ${WORK_DIR}/build/core_consumer)
message(STATUS "ldd core_consumer:\n${last_output}")
foreach(lib libsqlite3 libhiredis libboost_url)
  if(last_output MATCHES "${lib}")
    message(FATAL_ERROR "expected the core consumer to need no ${lib}, found it:\n"
                        "${last_output}")
  endif()
endforeach()

# A component this install does not have is reported by find_package.
file(WRITE ${WORK_DIR}/ask/CMakeLists.txt
     "cmake_minimum_required(VERSION 3.20)\nproject(ask LANGUAGES CXX)\n"
     "find_package(vigil 0.4 REQUIRED COMPONENTS sqlite)\n")
execute_process(COMMAND ${CMAKE_COMMAND} -S ${WORK_DIR}/ask -B ${WORK_DIR}/ask/build
                        -DCMAKE_PREFIX_PATH=${prefix}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0 OR NOT out MATCHES "VIGIL_WITH_SQLITE=OFF")
  message(FATAL_ERROR "expected find_package(vigil COMPONENTS sqlite) to fail, saying "
                      "the install was built with VIGIL_WITH_SQLITE=OFF, found (${rc}):\n"
                      "${out}")
endif()
message(STATUS "find_package(vigil COMPONENTS sqlite): refused, as expected")
