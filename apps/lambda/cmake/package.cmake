# SPDX-License-Identifier: Apache-2.0
# Copyright The gavel authors
#
# Builds gavel-lambda.zip: cmake -DBOOTSTRAP=... -DSOURCE_DIR=... -DSTAGING=... -DOUTPUT=...
#                          [-DCOMPILED_IN=<a header of each header-only library>] -P package.cmake
#
#   bootstrap          a shell script that runs bin/gavel-bootstrap through the shipped loader
#   bin/gavel-bootstrap  the executable
#   lib/               every shared library it loads, glibc and its loader included
#   rubrics/ schemas/  the shipped rubrics, their prompts, rule packs and schemas
#   LICENSE THIRD_PARTY_NOTICES.md  gavel's licence and the notices of what it uses
#   licenses/          the licence texts of the libraries in lib/ (package_licenses.cmake)
#
# glibc ships with the function because the build machine's is newer than Amazon Linux 2023's
# (2.34): its libstdc++ alone needs GLIBC_2.36. Started as `lib/ld-linux-x86-64.so.2
# --library-path lib bin/gavel-bootstrap`, the process uses only the zip's libraries, whatever the
# image has. Also writes OUTPUT with ".txt" in place of ".zip": the listing with sizes and the
# highest GLIBC symbol version any shipped file needs.
foreach(var BOOTSTRAP SOURCE_DIR STAGING OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "package.cmake needs -D${var}=...")
  endif()
endforeach()

file(REMOVE_RECURSE "${STAGING}")
file(MAKE_DIRECTORY "${STAGING}/lib" "${STAGING}/bin")
set(exec_permissions OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
configure_file("${BOOTSTRAP}" "${STAGING}/bin/gavel-bootstrap" COPYONLY)
file(CHMOD "${STAGING}/bin/gavel-bootstrap" FILE_PERMISSIONS ${exec_permissions})
file(COPY "${SOURCE_DIR}/rubrics" "${SOURCE_DIR}/schemas" "${SOURCE_DIR}/LICENSE"
     "${SOURCE_DIR}/THIRD_PARTY_NOTICES.md" DESTINATION "${STAGING}")
include("${CMAKE_CURRENT_LIST_DIR}/package_licenses.cmake")

# The kernel's own object is not a file.
set(from_system "^linux-vdso[.]")
file(GET_RUNTIME_DEPENDENCIES
  EXECUTABLES "${BOOTSTRAP}"
  RESOLVED_DEPENDENCIES_VAR resolved
  UNRESOLVED_DEPENDENCIES_VAR unresolved)
if(unresolved)
  message(FATAL_ERROR "gavel-lambda: unresolved libraries: ${unresolved}")
endif()
set(shipped "")
set(shipped_from "")
foreach(lib IN LISTS resolved)
  get_filename_component(name "${lib}" NAME)
  if(name MATCHES "${from_system}")
    continue()
  endif()
  # Copy the file the soname points to, under the soname.
  file(REAL_PATH "${lib}" real)
  configure_file("${real}" "${STAGING}/lib/${name}" COPYONLY)
  list(APPEND shipped "${STAGING}/lib/${name}")
  list(APPEND shipped_from "${lib}")
endforeach()
string(REPLACE "|" ";" COMPILED_IN "${COMPILED_IN}")
ship_licenses("${STAGING}" LIBRARIES ${shipped_from} COMPILED_IN ${COMPILED_IN})
# The loader: ld-linux-x86-64.so.2 on x86_64, ld-linux-aarch64.so.1 on arm64.
file(GLOB loader RELATIVE "${STAGING}/lib" "${STAGING}/lib/ld-linux*")
list(LENGTH loader loaders)
if(NOT loaders EQUAL 1 OR NOT EXISTS "${STAGING}/lib/libc.so.6")
  message(FATAL_ERROR "gavel-lambda: glibc's loader or libc.so.6 was not found among the dependencies (${loader})")
endif()
file(CHMOD "${STAGING}/lib/${loader}" FILE_PERMISSIONS ${exec_permissions})
string(CONFIGURE [=[#!/bin/sh
# gavel's Lambda bootstrap, started with the glibc it was built against (in lib/, with its
# loader), since the function's image may have an older one.
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/lib/@loader@" --library-path "$here/lib" "$here/bin/gavel-bootstrap" "$@"
]=] bootstrap_script @ONLY)
file(WRITE "${STAGING}/bootstrap" "${bootstrap_script}")
file(CHMOD "${STAGING}/bootstrap" FILE_PERMISSIONS ${exec_permissions})


# The highest GLIBC_x.y any shipped binary asks for.
find_program(OBJDUMP objdump REQUIRED)
set(glibc_max "0.0")
set(glibc_by_file "")
foreach(bin "${STAGING}/bin/gavel-bootstrap" ${shipped})
  execute_process(COMMAND "${OBJDUMP}" -T "${bin}" OUTPUT_VARIABLE symbols ERROR_QUIET)
  string(REGEX MATCHALL "GLIBC_[0-9]+\\.[0-9]+(\\.[0-9]+)?" versions "${symbols}")
  set(file_max "0.0")
  foreach(v IN LISTS versions)
    string(REPLACE "GLIBC_" "" v "${v}")
    if(v VERSION_GREATER file_max)
      set(file_max "${v}")
    endif()
  endforeach()
  if(file_max VERSION_GREATER glibc_max)
    set(glibc_max "${file_max}")
  endif()
  get_filename_component(bin_name "${bin}" NAME)
  string(APPEND glibc_by_file "  ${bin_name}: GLIBC_${file_max}\n")
endforeach()

file(REMOVE "${OUTPUT}")
find_program(ZIP zip REQUIRED)
# -y keeps nothing as a link (there are none); -X leaves out extra attributes; -9 smallest.
execute_process(COMMAND "${ZIP}" -q -r -X -9 "${OUTPUT}" bootstrap bin lib rubrics schemas
                        LICENSE THIRD_PARTY_NOTICES.md licenses
                WORKING_DIRECTORY "${STAGING}" RESULT_VARIABLE zip_result)
if(NOT zip_result EQUAL 0)
  message(FATAL_ERROR "zip failed (${zip_result})")
endif()

find_program(UNZIP unzip)
set(listing "")
if(UNZIP)
  execute_process(COMMAND "${UNZIP}" -l "${OUTPUT}" OUTPUT_VARIABLE listing)
endif()
file(SIZE "${OUTPUT}" zip_size)
string(REGEX REPLACE "\\.zip$" ".txt" report "${OUTPUT}")
execute_process(COMMAND "${STAGING}/lib/${loader}" --version OUTPUT_VARIABLE loader_version ERROR_QUIET)
string(REGEX MATCH "version [0-9]+\\.[0-9]+" loader_version "${loader_version}")
set(verdict "met by the glibc shipped in lib/ (${loader_version}), which the bootstrap script starts the program with")
file(WRITE "${report}"
  "gavel-lambda.zip: ${zip_size} bytes\n"
  "highest GLIBC symbol version required: GLIBC_${glibc_max} (${verdict})\n"
  "per file:\n${glibc_by_file}\n${listing}")
message(STATUS "gavel-lambda.zip: ${zip_size} bytes; needs GLIBC_${glibc_max} (${verdict}); listing in ${report}")
