# SPDX-License-Identifier: MIT
# Installation beyond the binaries (the man page, the systemd unit, tmpfiles.d, the example
# config) and the Debian package (CPack DEB). Included from the top CMakeLists.txt;
# docs/deploy.md, "systemd", says how to use what it installs.
#
#   cmake --install build [--prefix /usr]          # files only; no users, no directories
#   cmake --build build --target package           # build/grader_<version>_<arch>.deb
#
# The .deb's maintainer scripts (dist/debian/) create the "grader" system user, reserve the
# sandbox's uid range 60000-60999 for it in /etc/subuid and /etc/subgid, and make the cache,
# spool and work directories, so `apt install ./grader_*.deb` plus a config file is all a host
# needs.

set(GRADER_DIST_DIR ${PROJECT_SOURCE_DIR}/dist)
set(GRADER_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
    "where the systemd unit goes, relative to the prefix (or absolute)")
set(GRADER_TMPFILESDIR "lib/tmpfiles.d" CACHE STRING
    "where the tmpfiles.d snippet goes, relative to the prefix (or absolute)")
# The unit and the package refer to the configuration by its installed path.
set(GRADER_CONFIG_FILE ${CMAKE_INSTALL_FULL_SYSCONFDIR}/grader/grader.json)
set(GRADER_TOKEN_FILE ${CMAKE_INSTALL_FULL_SYSCONFDIR}/grader/token)

# ---- the man page: dist/grader.1, gzip'd as Debian wants it --------------------------------
find_program(GZIP_PROGRAM gzip REQUIRED)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/grader.1.gz
        COMMAND ${GZIP_PROGRAM} -9 -n -c ${GRADER_DIST_DIR}/grader.1 > grader.1.gz
        DEPENDS ${GRADER_DIST_DIR}/grader.1
        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
        COMMENT "gzip the man page")
add_custom_target(grader-manpage ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/grader.1.gz)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/grader.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# ---- systemd: the unit and the spool directory it needs ------------------------------------
configure_file(${GRADER_DIST_DIR}/grader.service.in ${CMAKE_CURRENT_BINARY_DIR}/grader.service
               @ONLY)
configure_file(${GRADER_DIST_DIR}/grader.tmpfiles ${CMAKE_CURRENT_BINARY_DIR}/grader.conf COPYONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/grader.service DESTINATION ${GRADER_SYSTEMD_UNITDIR})
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/grader.conf DESTINATION ${GRADER_TMPFILESDIR})

# ---- the example configuration ----------------------------------------------------------
# /etc/grader/grader.json itself is the administrator's: the unit does not start until it
# exists (ConditionPathExists), so an install never starts a service without a site to poll.
install(FILES ${GRADER_DIST_DIR}/grader.json DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/grader
        RENAME grader.json.example)
install(FILES ${PROJECT_SOURCE_DIR}/docs/deploy.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# ---- Debian policy: the copyright file and the changelog (gzip'd) -------------------------
configure_file(${GRADER_DIST_DIR}/debian/changelog.in ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian
               @ONLY)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian.gz
        COMMAND ${GZIP_PROGRAM} -9 -n -c changelog.Debian > changelog.Debian.gz
        DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian
        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
        COMMENT "gzip the Debian changelog")
add_custom_target(grader-changelog ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian.gz)
install(FILES ${GRADER_DIST_DIR}/debian/copyright ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# ---- the Debian package -------------------------------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "grader")
set(CPACK_PACKAGE_VENDOR "grader")
set(CPACK_PACKAGE_CONTACT "grader maintainers <grader@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "sandboxed submission grader for programming courses")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # grader_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "sandboxed submission grader for programming courses\n\
 grader compiles and runs student programs in a locked-down sandbox (namespaces, a\n\
 read-only root, rlimits, a seccomp allow-list, no capabilities, an unprivileged uid per\n\
 run), judges them against Kattis/ICPC problem packages, and as a service polls a course\n\
 site for submissions and posts each verdict back exactly once.")
# Library dependencies from the binaries (dpkg-shlibdeps), plus what the maintainer scripts
# and the default language table use. Java is a suggestion: `grader languages` shows what
# is installed, and the service offers only those languages.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, passwd, gcc, g++, libc6-dev, python3, ca-certificates")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "openjdk-17-jdk-headless")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
configure_file(${GRADER_DIST_DIR}/debian/postinst.in ${CMAKE_CURRENT_BINARY_DIR}/debian/postinst
               @ONLY FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
               GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
configure_file(${GRADER_DIST_DIR}/debian/prerm.in ${CMAKE_CURRENT_BINARY_DIR}/debian/prerm
               @ONLY FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
               GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
configure_file(${GRADER_DIST_DIR}/debian/postrm.in ${CMAKE_CURRENT_BINARY_DIR}/debian/postrm
               @ONLY FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
               GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles
     "${CMAKE_INSTALL_FULL_SYSCONFDIR}/grader/grader.json.example\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_BINARY_DIR}/debian/postinst ${CMAKE_CURRENT_BINARY_DIR}/debian/prerm
    ${CMAKE_CURRENT_BINARY_DIR}/debian/postrm ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles)
# The package holds what `cmake --install` installs, at the build's prefix: configure the
# build with -DCMAKE_INSTALL_PREFIX=/usr for a package (the binaries find grader-serve and the
# language table by their configured paths; GNUInstallDirs then puts the config in /etc).
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
        message(STATUS "packaging: CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}; "
                       "a Debian package wants -DCMAKE_INSTALL_PREFIX=/usr")
endif()
include(CPack)
