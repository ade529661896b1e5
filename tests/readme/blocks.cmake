# Every ```cpp block of README.md compiles, under -Wall -Wextra -Wpedantic -Werror, as a
# user would compile it: a block with its own main (CAF_MAIN) is a program of its own
# (the one marked `<!-- example: first-program -->` also runs, and must exit by itself);
# any other block is a translation unit, its code in a namespace of its own so that
# two blocks may use the same names. Included from CMakeLists.txt (`readme` is set).
set(rest "${readme_text}")
set(index 0)
set(fragments)
set(strict -Wall -Wextra -Wpedantic -Werror)
set(out ${CMAKE_CURRENT_BINARY_DIR}/blocks)
file(MAKE_DIRECTORY ${out})
while(TRUE)
  string(FIND "${rest}" "```cpp\n" at)
  if(at EQUAL -1)
    break()
  endif()
  math(EXPR index "${index} + 1")
  # The marker, if any, on the line before the fence.
  set(name "")
  if(at GREATER 60)
    math(EXPR from "${at} - 60")
    string(SUBSTRING "${rest}" ${from} 60 before)
    if(before MATCHES "<!-- example: ([a-z-]+) -->\n$")
      set(name ${CMAKE_MATCH_1})
    endif()
  endif()
  math(EXPR start "${at} + 7")
  string(SUBSTRING "${rest}" ${start} -1 rest)
  string(FIND "${rest}" "```" end)
  string(SUBSTRING "${rest}" 0 ${end} block)
  string(SUBSTRING "${rest}" ${end} -1 rest)
  if(block MATCHES "vigil/nodes/" AND NOT TARGET vigil::nodes)
    message(STATUS "README block ${index} needs vigil::nodes: not compiled")
    continue()
  endif()
  if(block MATCHES "vigil/web/" AND NOT TARGET vigil::web)
    message(STATUS "README block ${index} needs vigil::web: not compiled")
    continue()
  endif()
  if(block MATCHES "CAF_MAIN\\(" OR block MATCHES "int main\\(")
    file(WRITE ${out}/readme_program_${index}.cpp.in "${block}")
    configure_file(${out}/readme_program_${index}.cpp.in ${out}/readme_program_${index}.cpp
                   COPYONLY)
    add_executable(readme_program_${index} ${out}/readme_program_${index}.cpp)
    target_link_libraries(readme_program_${index} PRIVATE vigil::core) # as the README says
    target_compile_options(readme_program_${index} PRIVATE ${strict})
    if(name STREQUAL "first-program")
      add_test(NAME readme.first_program_runs_and_exits
        COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:readme_program_${index}>
          "-DPATTERNS=coder-1: spawning -> idle \\(registered\\);coder-1: idle -> busy \\(slot:work\\);coder-2: busy -> idle \\(finished\\);coder-1 is idle, healthy;coder-2: idle -> killed \\(kill_command\\);refused: vigil::unknown_agent: no agent \"coder-9\";coder-1: idle -> killed \\(node_shutdown\\)"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/run_program.cmake)
      set_tests_properties(readme.first_program_runs_and_exits PROPERTIES TIMEOUT 30)
    endif()
    continue()
  endif()
  string(REGEX MATCHALL "#include [^\n]*" includes "${block}")
  string(REGEX REPLACE "#include [^\n]*\n" "" body "${block}")
  string(REPLACE ";" "\n" includes "${includes}")
  file(WRITE ${out}/readme_block_${index}.cpp.in
       "// README.md, C++ block ${index}\n${includes}\n\nnamespace readme_block_${index} {\n${body}} // namespace readme_block_${index}\n")
  configure_file(${out}/readme_block_${index}.cpp.in ${out}/readme_block_${index}.cpp
                 COPYONLY)
  list(APPEND fragments ${out}/readme_block_${index}.cpp)
endwhile()
if(index LESS 5)
  message(FATAL_ERROR "README.md: found only ${index} C++ blocks; the cut is broken")
endif()
# One program of them all: GoogleTest's main runs the tests a block defines (the test
# kit's example), so those blocks run too.
add_executable(vigil_readme_blocks ${fragments})
target_link_libraries(vigil_readme_blocks PRIVATE vigil::core vigil::testing
                                                  GTest::gtest_main)
foreach(component sqlite redis nodes web)
  if(TARGET vigil::${component})
    target_link_libraries(vigil_readme_blocks PRIVATE vigil::${component})
  endif()
endforeach()
target_compile_options(vigil_readme_blocks PRIVATE ${strict})
list(LENGTH fragments count)
message(STATUS "README.md: ${count} C++ blocks compiled into vigil_readme_blocks")
add_test(NAME readme.every_cpp_block_compiles COMMAND vigil_readme_blocks)
set_tests_properties(readme.every_cpp_block_compiles PROPERTIES TIMEOUT 60)
