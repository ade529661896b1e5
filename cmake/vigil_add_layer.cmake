# vigil_add_layer(NAME SOURCES ... DEPENDS ... PRIVATE_DEPENDS ... [EXPORT set] [KEEP symbol])
# One static library per layer or component (DESIGN §9): target vigil_NAME, alias
# vigil::NAME, exported as vigil::NAME in the export set EXPORT (vigilTargets, the core's,
# by default). Each layer sees only the layers it names in DEPENDS. KEEP names a symbol
# every program linking the target keeps, with the object that defines it: the
# component's registration, which no call would pull in from the archive.
function(vigil_add_layer name)
  cmake_parse_arguments(arg "" "EXPORT;KEEP" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  if(NOT arg_EXPORT)
    set(arg_EXPORT vigilTargets)
  endif()
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
  if(arg_KEEP)
    target_link_options(vigil_${name} INTERFACE "LINKER:--undefined=${arg_KEEP}")
  endif()
  vigil_warnings(vigil_${name})
  install(TARGETS vigil_${name} EXPORT ${arg_EXPORT}
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/vigil)
    install(DIRECTORY vigil DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  endif()
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
