# Installs libhrm, its headers and a CMake package so that downstream projects can
#   find_package(hrm REQUIRED)  target_link_libraries(app PRIVATE hrm::hrm)
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)
install(TARGETS hrm EXPORT hrmTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/hrm DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT hrmTargets NAMESPACE hrm:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hrm)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/hrmConfig.cmake.in
  ${PROJECT_BINARY_DIR}/hrmConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hrm)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hrmConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hrmConfig.cmake ${PROJECT_BINARY_DIR}/hrmConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hrm)
