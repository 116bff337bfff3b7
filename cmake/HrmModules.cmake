# libhrm is built from modules, one folder each under src/ (util, sandbox, data, model, ...).
# Each module is an OBJECT library, so a test or binary can link just the modules it needs
# (fast rebuilds on 2 cores) while `hrm` packs all of them into the one installed library.
#
#   hrm_module(NAME sandbox DEPS util LIBS PkgConfig::SECCOMP)
#   hrm_link_modules(<target> sandbox)   # links sandbox and, transitively, util
set_property(GLOBAL PROPERTY HRM_MODULES "")

function(hrm_module)
  cmake_parse_arguments(M "" "NAME" "DEPS;LIBS" ${ARGN})
  file(GLOB _src CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${M_NAME}/*.cpp)
  add_library(hrm_${M_NAME} OBJECT ${_src})
  target_include_directories(hrm_${M_NAME} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>)
  target_compile_options(hrm_${M_NAME} PRIVATE ${HRM_WARNINGS})
  foreach(_dep IN LISTS M_DEPS)
    target_link_libraries(hrm_${M_NAME} PUBLIC hrm_${_dep})
  endforeach()
  target_link_libraries(hrm_${M_NAME} PUBLIC ${M_LIBS})
  set_property(GLOBAL PROPERTY HRM_MODULE_DEPS_${M_NAME} ${M_DEPS})
  set_property(GLOBAL APPEND PROPERTY HRM_MODULES ${M_NAME})
endfunction()

function(_hrm_module_closure out)
  set(_seen "")
  set(_todo ${ARGN})
  while(_todo)
    list(POP_FRONT _todo _m)
    if(NOT _m IN_LIST _seen)
      list(APPEND _seen ${_m})
      get_property(_deps GLOBAL PROPERTY HRM_MODULE_DEPS_${_m})
      list(APPEND _todo ${_deps})
    endif()
  endwhile()
  set(${out} ${_seen} PARENT_SCOPE)
endfunction()

# Object files of transitively linked OBJECT libraries are not linked by CMake, so add them here.
function(hrm_link_modules target)
  _hrm_module_closure(_mods ${ARGN})
  foreach(_m IN LISTS _mods)
    target_sources(${target} PRIVATE $<TARGET_OBJECTS:hrm_${_m}>)
    target_link_libraries(${target} PRIVATE hrm_${_m})
  endforeach()
  if(TARGET hrm_cuda_kernels AND HRM_LINK_CUDA_KERNELS)
    target_link_libraries(${target} PRIVATE hrm_cuda_kernels)
  endif()
endfunction()

# A thin binary: src/bin/<name>.cpp linked with the modules it names.
function(hrm_binary name)
  add_executable(${name} ${PROJECT_SOURCE_DIR}/src/bin/${name}.cpp)
  target_compile_options(${name} PRIVATE ${HRM_WARNINGS})
  hrm_link_modules(${name} ${ARGN})
  install(TARGETS ${name} RUNTIME DESTINATION bin)
endfunction()

# A GoogleTest executable from tests/<dir>/*.cpp, linked with the modules it names.
function(hrm_test_suite dir)
  file(GLOB _src CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.cpp)
  if(NOT _src)
    return()
  endif()
  add_executable(hrm_${dir}_tests ${_src})
  target_compile_options(hrm_${dir}_tests PRIVATE ${HRM_WARNINGS})
  target_compile_definitions(hrm_${dir}_tests PRIVATE
    HRM_SOURCE_DIR="${PROJECT_SOURCE_DIR}" HRM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  hrm_link_modules(hrm_${dir}_tests ${ARGN})
  target_link_libraries(hrm_${dir}_tests PRIVATE GTest::gtest GTest::gtest_main)
  gtest_discover_tests(hrm_${dir}_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${dir})
endfunction()
