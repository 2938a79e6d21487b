# SPDX-License-Identifier: Apache-2.0
# Copyright The gavel authors
#
# The licence texts of the libraries gavel-lambda.zip ships; include()d by package.cmake:
#
#   ship_licenses("${STAGING}" LIBRARIES /usr/lib/x86_64-linux-gnu/libre2.so.9 ...
#                 COMPILED_IN /usr/include/nlohmann/json.hpp)
#
# LIBRARIES are the shared objects copied to lib/; COMPILED_IN, files of header-only libraries
# compiled into bin/gavel-bootstrap. Writes, under STAGING/licenses/:
#   <package>/copyright   the copyright file of the Debian package each one comes from
#   common-licenses/      the texts those files name instead of repeating them (GPL-2, LGPL-2.1,
#                         Apache-2.0, ...), from /usr/share/common-licenses
#   PACKAGES.txt          one line each: the shipped file (lib/<name>, or bin/gavel-bootstrap for
#                         what is compiled in), package, version, source package, copyright file
#
# Debian keeps every package's licence in /usr/share/doc/<package>/copyright, so the package
# that installed a library (dpkg-query -S) leads to its licence. A library no package owns, or
# a text that cannot be found, stops the packaging: a zip without a library's licence is never
# written. DEBIAN_DOC_DIR and COMMON_LICENSES_DIR, when set, replace /usr/share/doc and
# /usr/share/common-licenses (the tests' way to make a text go missing).

# The package, with its architecture ("libc6:amd64"), that installed `file`.
function(debian_package_of file out_var)
  file(REAL_PATH "${file}" real)
  set(candidates "${file}" "${real}")
  # With merged /usr, dpkg records /lib/... for files the loader finds under /usr/lib/....
  foreach(path IN ITEMS "${file}" "${real}")
    if(path MATCHES "^/usr(/lib.*)$")
      list(APPEND candidates "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES candidates)
  foreach(path IN LISTS candidates)
    execute_process(COMMAND "${DPKG_QUERY}" -S "${path}" OUTPUT_VARIABLE owner RESULT_VARIABLE result ERROR_QUIET)
    if(result EQUAL 0 AND owner MATCHES "^([^:, ]+(:[^:, ]+)?): ")
      set(${out_var} "${CMAKE_MATCH_1}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "gavel-lambda: no Debian package owns ${file} (dpkg-query -S), so its licence cannot be shipped")
endfunction()

function(ship_licenses staging)
  cmake_parse_arguments(PARSE_ARGV 1 ship "" "" "LIBRARIES;COMPILED_IN")
  find_program(DPKG_QUERY dpkg-query)
  if(NOT DPKG_QUERY)
    message(FATAL_ERROR "gavel-lambda: dpkg-query not found; the zip ships the Debian copyright file of every library in it, so it is packaged on Debian")
  endif()
  set(doc_dir "/usr/share/doc")
  if(DEFINED DEBIAN_DOC_DIR)
    set(doc_dir "${DEBIAN_DOC_DIR}")
  endif()
  set(common_licenses "/usr/share/common-licenses")
  if(DEFINED COMMON_LICENSES_DIR)
    set(common_licenses "${COMMON_LICENSES_DIR}")
  endif()
  set(table "# Where each file in lib/, and what bin/gavel-bootstrap compiles in, comes from:\n")
  string(APPEND table "# shipped file, Debian package, version, source package, licence text.\n")
  set(packages "")
  set(sources "")
  set(shipped_as "")
  foreach(lib IN LISTS ship_LIBRARIES)
    get_filename_component(name "${lib}" NAME)
    list(APPEND sources "${lib}")
    list(APPEND shipped_as "lib/${name}")
  endforeach()
  foreach(header IN LISTS ship_COMPILED_IN)
    list(APPEND sources "${header}")
    list(APPEND shipped_as "bin/gavel-bootstrap")
  endforeach()
  foreach(source shipped IN ZIP_LISTS sources shipped_as)
    debian_package_of("${source}" package)
    execute_process(COMMAND "${DPKG_QUERY}" -W -f [=[${Version}\t${source:Package}]=] "${package}"
                    OUTPUT_VARIABLE version_and_source RESULT_VARIABLE result ERROR_QUIET)
    if(NOT result EQUAL 0 OR NOT version_and_source MATCHES "^[^\t\n]+\t[^\t\n]+$")
      message(FATAL_ERROR "gavel-lambda: dpkg-query cannot tell the version of ${package}")
    endif()
    string(REGEX REPLACE ":.*" "" package_name "${package}")
    string(APPEND table "${shipped}\t${package_name}\t${version_and_source}\tlicenses/${package_name}/copyright\n")
    list(APPEND packages "${package_name}")
  endforeach()
  list(REMOVE_DUPLICATES packages)

  set(license_names "")
  foreach(package IN LISTS packages)
    set(copyright "${doc_dir}/${package}/copyright")
    if(NOT EXISTS "${copyright}")
      message(FATAL_ERROR "gavel-lambda: ${copyright} is missing, so the licence of ${package} cannot be shipped")
    endif()
    configure_file("${copyright}" "${staging}/licenses/${package}/copyright" COPYONLY)
    file(READ "${copyright}" text)
    # A name at the end of a sentence ("common-licenses/GPL-2.") loses its full stop.
    string(REGEX MATCHALL "common-licenses/[A-Za-z0-9][A-Za-z0-9.+-]*" named "${text}")
    foreach(reference IN LISTS named)
      string(REGEX REPLACE "^common-licenses/|[.]+$" "" license "${reference}")
      list(APPEND license_names "${license}")
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES license_names)
  foreach(license IN LISTS license_names)
    if(NOT EXISTS "${common_licenses}/${license}")
      message(FATAL_ERROR "gavel-lambda: a shipped copyright file names ${common_licenses}/${license}, which does not exist")
    endif()
    configure_file("${common_licenses}/${license}" "${staging}/licenses/common-licenses/${license}" COPYONLY)
  endforeach()
  file(WRITE "${staging}/licenses/PACKAGES.txt" "${table}")
endfunction()
