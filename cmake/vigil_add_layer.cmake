# vigil_add_layer(NAME SOURCES ... DEPENDS ... PRIVATE_DEPENDS ...)
# One static library per layer (DESIGN §9): target vigil_NAME, alias vigil::NAME,
# exported as vigil::NAME. Each layer sees only the layers it names in DEPENDS.
function(vigil_add_layer name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(vigil_${name} STATIC ${arg_SOURCES})
  add_library(vigil::${name} ALIAS vigil_${name})
  set_target_properties(vigil_${name} PROPERTIES EXPORT_NAME ${name}
                                                 POSITION_INDEPENDENT_CODE ON)
  target_compile_features(vigil_${name} PUBLIC cxx_std_17)
  target_include_directories(vigil_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(vigil_${name} PUBLIC ${arg_DEPENDS}
                                      PRIVATE ${arg_PRIVATE_DEPENDS})
  vigil_warnings(vigil_${name})
  install(TARGETS vigil_${name} EXPORT vigilTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY vigil DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()

# Our own code compiles clean with -Wall -Wextra; CAF headers come in as system headers.
function(vigil_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra
                         $<$<BOOL:${VIGIL_WERROR}>:-Werror>)
endfunction()

# A vigil program: links the allocator VIGIL_JEMALLOC chose and says so to the code
# (VIGIL_WITH_JEMALLOC), for the benchmarks' heap figures.
function(vigil_program target)
  vigil_warnings(${target})
  if(VIGIL_JEMALLOC)
    # Linked even where the program's own objects call no malloc (--as-needed).
    target_link_libraries(${target} PRIVATE -Wl,--push-state,--no-as-needed
                          ${VIGIL_JEMALLOC_LIBRARY} -Wl,--pop-state)
    target_include_directories(${target} SYSTEM PRIVATE ${VIGIL_JEMALLOC_INCLUDE_DIR})
    target_compile_definitions(${target} PRIVATE VIGIL_WITH_JEMALLOC)
  endif()
endfunction()
