# SPDX-License-Identifier: GPL-2.0-or-later
# CPack rules for a Debian package of the plugin, for the Wireshark it is
# built against.  Included by the top CMakeLists.txt when the plugin is built.
#
#   cmake -S . -B build && cmake --build build && (cd build && cpack -G DEB)
#
# makes build/mwg502_<version>+ws<major.minor>_<arch>.deb, holding
# <Wireshark's plugin folder>/epan/mwg502.so (e.g.
# /usr/lib/x86_64-linux-gnu/wireshark/plugins/4.0/epan/mwg502.so) and the
# Debian documentation /usr/share/doc/mwg502/{copyright,changelog.gz}, and
# depending on the Debian package of the libwireshark the plugin links, from
# the exact upstream version it was built against up to the next minor
# release (a plugin loads only into the major.minor it was built for):
#   Depends: ..., libwireshark16 (>= 4.0.17), libwireshark16 (<< 4.1)
# (4.4: libwireshark18, 4.6: libwireshark19), after the libraries
# dpkg-shlibdeps finds (libc6, GLib, libwireshark).
#
# The version has no Debian revision: the package is native, so its Debian
# changelog is changelog.gz (lintian: a native package has no
# changelog.Debian.gz).  The documentation is installed by cpack only, not
# by `cmake --install` (install component mwg502-deb-doc, excluded from all).
#
# Options (cache variables):
#   MWG502_DEB_MAINTAINER      the Maintainer field (and changelog trailer)
#   MWG502_DEB_RUNTIME_PACKAGE the runtime package to depend on (found with
#                              dpkg -S when empty)
#   MWG502_DEB_SHLIBDEPS       run dpkg-shlibdeps for the other Depends
#                              (default: on when dpkg-shlibdeps exists and
#                              dpkg knows the libwireshark)

set(MWG502_DEB_MAINTAINER "mwg502 maintainers <mwg502-maintainers@example.invalid>"
    CACHE STRING "Maintainer field of the Debian package")
set(MWG502_DEB_RUNTIME_PACKAGE "" CACHE STRING
    "Debian package of the libwireshark the plugin links (empty: found with dpkg -S)")

set(_mwg_ws_mm "${Wireshark_MAJOR_VERSION}.${Wireshark_MINOR_VERSION}")
math(EXPR _mwg_ws_next_minor "${Wireshark_MINOR_VERSION} + 1")
set(_mwg_ws_next "${Wireshark_MAJOR_VERSION}.${_mwg_ws_next_minor}")

# --- The library the plugin links, and the package that ships it ----------
# epan is Wireshark's imported target for libwireshark; its file and soname
# give /usr/lib/<multiarch>/libwireshark.so.N.
set(_mwg_runtime_pkg "${MWG502_DEB_RUNTIME_PACKAGE}")
set(_mwg_runtime_pkg_by_dpkg OFF)
if(NOT _mwg_runtime_pkg)
    set(_mwg_epan_file "")
    set(_mwg_epan_soname "")
    get_target_property(_mwg_cfgs epan IMPORTED_CONFIGURATIONS)
    foreach(_cfg IN LISTS _mwg_cfgs ITEMS "")
        if(_cfg)
            set(_sfx "_${_cfg}")
        else()
            set(_sfx "")
        endif()
        if(NOT _mwg_epan_file)
            get_target_property(_mwg_epan_file epan IMPORTED_LOCATION${_sfx})
        endif()
        if(NOT _mwg_epan_soname)
            get_target_property(_mwg_epan_soname epan IMPORTED_SONAME${_sfx})
        endif()
    endforeach()
    if(_mwg_epan_file AND _mwg_epan_soname)
        get_filename_component(_mwg_epan_dir "${_mwg_epan_file}" DIRECTORY)
        set(_mwg_epan_lib "${_mwg_epan_dir}/${_mwg_epan_soname}")
    else()
        set(_mwg_epan_lib "${_mwg_epan_file}")
    endif()
    find_program(MWG502_DPKG dpkg)
    mark_as_advanced(MWG502_DPKG)
    if(MWG502_DPKG AND _mwg_epan_lib)
        # dpkg knows the path as the package installed it; on a merged-/usr
        # system try the resolved path and the /lib alias as well.
        get_filename_component(_mwg_epan_real "${_mwg_epan_lib}" REALPATH)
        set(_mwg_try "${_mwg_epan_lib}" "${_mwg_epan_real}")
        foreach(_p IN LISTS _mwg_epan_lib _mwg_epan_real)
            if(_p MATCHES "^/usr(/lib.*)$")
                list(APPEND _mwg_try "${CMAKE_MATCH_1}")
            endif()
        endforeach()
        list(REMOVE_DUPLICATES _mwg_try)
        foreach(_p IN LISTS _mwg_try)
            execute_process(COMMAND "${MWG502_DPKG}" -S "${_p}"
                RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_QUIET
                OUTPUT_STRIP_TRAILING_WHITESPACE)
            # "libwireshark16:amd64: /usr/lib/x86_64-linux-gnu/libwireshark.so.16"
            if(_rc EQUAL 0 AND _out MATCHES "^([a-z0-9][a-z0-9.+-]*)(:[a-z0-9-]+)?: ")
                set(_mwg_runtime_pkg "${CMAKE_MATCH_1}")
                set(_mwg_runtime_pkg_by_dpkg ON)
                break()
            endif()
        endforeach()
    endif()
    if(NOT _mwg_runtime_pkg AND _mwg_epan_soname MATCHES "^libwireshark\\.so\\.([0-9]+)$")
        # Debian's name for the library package of that soname.
        set(_mwg_runtime_pkg "libwireshark${CMAKE_MATCH_1}")
        message(WARNING "mwg502 packaging: no Debian package owns ${_mwg_epan_lib}; "
            "the .deb will depend on ${_mwg_runtime_pkg} (set MWG502_DEB_RUNTIME_PACKAGE to change)")
    endif()
    if(NOT _mwg_runtime_pkg)
        set(_mwg_runtime_pkg "libwireshark")
        message(WARNING "mwg502 packaging: could not tell which package ships libwireshark; "
            "set MWG502_DEB_RUNTIME_PACKAGE")
    endif()
endif()

# --- Where the plugin goes in the package -----------------------------------
# The package must hold the plugin at Wireshark's own plugin folder.
# A relative install DESTINATION (relative to the prefix) is what CPack
# relocates into its staging folder; an absolute one (the plugin rule's
# default so far: ${Wireshark_PLUGIN_INSTALL_DIR}/epan) is reached only
# through DESTDIR, so for that case set CPACK_SET_DESTDIR, which stages
# <staging>/<absolute path> and packages it as is.
if(IS_ABSOLUTE "${MWG502_PLUGIN_DIR}")
    set(_mwg_pkg_dir "${MWG502_PLUGIN_DIR}")
    set(CPACK_SET_DESTDIR ON)
    set(CPACK_INSTALL_PREFIX "${Wireshark_INSTALL_PREFIX}")
else()
    set(_mwg_pkg_dir "${Wireshark_INSTALL_PREFIX}/${MWG502_PLUGIN_DIR}")
    set(CPACK_SET_DESTDIR OFF)
    set(CPACK_PACKAGING_INSTALL_PREFIX "${Wireshark_INSTALL_PREFIX}")
endif()
if(NOT _mwg_pkg_dir STREQUAL "${Wireshark_INSTALL_PREFIX}/${Wireshark_PLUGIN_LIBDIR}/epan")
    message(WARNING "mwg502 packaging: the plugin installs to ${_mwg_pkg_dir}, not to "
        "Wireshark's plugin folder ${Wireshark_INSTALL_PREFIX}/${Wireshark_PLUGIN_LIBDIR}/epan; "
        "a .deb made from this build tree would put it there")
endif()
# No warnings about the absolute destination: it is handled above.
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)

# --- The package ----------------------------------------------------------
find_program(MWG502_DPKG dpkg)
set(_mwg_arch "")
if(MWG502_DPKG)
    execute_process(COMMAND "${MWG502_DPKG}" --print-architecture
        OUTPUT_VARIABLE _mwg_arch OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
if(NOT _mwg_arch)
    set(_mwg_arch "${CMAKE_SYSTEM_PROCESSOR}")
    if(_mwg_arch STREQUAL "x86_64")
        set(_mwg_arch "amd64")
    elseif(_mwg_arch STREQUAL "aarch64")
        set(_mwg_arch "arm64")
    endif()
endif()

set(CPACK_GENERATOR "DEB" CACHE STRING "CPack generators (cpack -G overrides)")
set(CPACK_PACKAGE_NAME "mwg502")
set(CPACK_PACKAGE_VENDOR "mwg502")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}+ws${_mwg_ws_mm}")
set(CPACK_PACKAGE_CONTACT "${MWG502_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Wireshark plugin explaining 502 Bad Gateway replies of web gateways")
set(CPACK_PACKAGE_DESCRIPTION
"mwg502 is a post-dissector for Wireshark ${_mwg_ws_mm} and tshark. In a capture
taken on a web gateway or forwarding proxy (McAfee/Trellix/Skyhigh Web
Gateway, Squid, tinyproxy and others) it explains every 502 Bad Gateway the
gateway sent a client: the client request it answers, what the gateway tried
upstream for it (DNS queries, TCP connection attempts, the forwarded
request), the cause (host not resolvable, cannot connect, bad response, or an
error returned by the origin), the frame that proves it and the usual fix.
The verdicts appear in the packet tree, as mwg502.* display filter fields,
in tshark output and in Expert Information.
.
This build is for Wireshark ${Wireshark_VERSION}: a plugin loads only into the
Wireshark major.minor it was built for. It installs
${_mwg_pkg_dir}/mwg502.so.")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_NAME "mwg502")
set(CPACK_DEBIAN_PACKAGE_VERSION "${CPACK_PACKAGE_VERSION}")
set(CPACK_DEBIAN_PACKAGE_RELEASE "")
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "${_mwg_arch}")
set(CPACK_DEBIAN_FILE_NAME "mwg502_${CPACK_PACKAGE_VERSION}_${_mwg_arch}.deb")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MWG502_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "${_mwg_runtime_pkg} (>= ${Wireshark_VERSION}), ${_mwg_runtime_pkg} (<< ${_mwg_ws_next})")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "wireshark | tshark")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# --- The other libraries: dpkg-shlibdeps -------------------------------------
# Every ELF file must depend on the libc it links (lintian:
# missing-dependency-on-libc); dpkg-shlibdeps gives the right packages and
# versions for the release the package is built on (libc6, libglib2.0-0 or
# libglib2.0-0t64, libwireshark...).  It needs the libraries to belong to
# installed packages, which a Wireshark built from source is not; and CPack
# needs the file utility to find the ELF files.
find_program(MWG502_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(MWG502_FILE file)
mark_as_advanced(MWG502_DPKG_SHLIBDEPS MWG502_FILE)
if(MWG502_DPKG_SHLIBDEPS AND MWG502_FILE AND _mwg_runtime_pkg_by_dpkg)
    set(_mwg_shlibdeps_default ON)
else()
    set(_mwg_shlibdeps_default OFF)
endif()
option(MWG502_DEB_SHLIBDEPS "Complete the Depends of the .deb with dpkg-shlibdeps"
    ${_mwg_shlibdeps_default})
if(MWG502_DEB_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
    # A warning on Debian, where a .deb is meant; a note elsewhere.
    if(MWG502_DPKG)
        set(_mwg_level WARNING)
    else()
        set(_mwg_level STATUS)
    endif()
    message(${_mwg_level} "mwg502 packaging: no dpkg-shlibdeps run, so the .deb depends on "
        "${_mwg_runtime_pkg} only (lintian: missing-dependency-on-libc); "
        "dpkg-shlibdeps (dpkg-dev) and file are needed, and a libwireshark from a Debian package")
endif()

# --- Debian documentation: copyright and changelog ---------------------------
# Debian policy 12.5 and 12.7: /usr/share/doc/<package>/copyright and the
# changelog, gzip -9n.  Package only: component mwg502-deb-doc is left out of
# `cmake --install` (EXCLUDE_FROM_ALL) and added for cpack below.
set(_mwg_deb_dist "unstable")
if(EXISTS "/etc/os-release")
    file(STRINGS "/etc/os-release" _mwg_codename REGEX "^VERSION_CODENAME=")
    if(_mwg_codename MATCHES "^VERSION_CODENAME=\"?([a-z]+)\"?$")
        set(_mwg_deb_dist "${CMAKE_MATCH_1}")
    endif()
endif()
# RFC 2822 date; honours SOURCE_DATE_EPOCH for reproducible packages.
string(TIMESTAMP _mwg_deb_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
set(_mwg_deb_doc "${CMAKE_CURRENT_BINARY_DIR}/deb-doc")
file(MAKE_DIRECTORY "${_mwg_deb_doc}")
configure_file("${CMAKE_CURRENT_LIST_DIR}/debian/changelog.in" "${_mwg_deb_doc}/changelog" @ONLY)
find_program(MWG502_GZIP gzip)
mark_as_advanced(MWG502_GZIP)
if(NOT MWG502_GZIP)
    message(FATAL_ERROR "mwg502 packaging: gzip is needed for the Debian changelog")
endif()
execute_process(COMMAND "${MWG502_GZIP}" -9nf "${_mwg_deb_doc}/changelog"
    RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "mwg502 packaging: gzip -9n ${_mwg_deb_doc}/changelog failed")
endif()
install(FILES "${CMAKE_CURRENT_LIST_DIR}/debian/copyright" "${_mwg_deb_doc}/changelog.gz"
    DESTINATION share/doc/mwg502
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
    COMPONENT mwg502-deb-doc EXCLUDE_FROM_ALL)
# One package (no component packaging) holding the default install and the
# documentation.
set(CPACK_INSTALL_CMAKE_PROJECTS
    "${CMAKE_BINARY_DIR};${PROJECT_NAME};ALL;/"
    "${CMAKE_BINARY_DIR};${PROJECT_NAME};mwg502-deb-doc;/")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")

if(CPACK_DEBIAN_PACKAGE_SHLIBDEPS)
    set(_mwg_more_deps ", and what dpkg-shlibdeps finds")
else()
    set(_mwg_more_deps "")
endif()
message(STATUS "mwg502 package: ${CPACK_DEBIAN_FILE_NAME} "
    "(Depends: ${CPACK_DEBIAN_PACKAGE_DEPENDS}${_mwg_more_deps})")

include(CPack)
