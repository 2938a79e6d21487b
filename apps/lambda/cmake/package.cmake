# Builds gavel-lambda.zip: cmake -DBOOTSTRAP=... -DSOURCE_DIR=... -DSTAGING=... -DOUTPUT=... -P package.cmake
#
#   bootstrap        the executable, with DT_RPATH $ORIGIN/lib
#   lib/             every shared library it loads except glibc's own (Amazon Linux 2023 has
#                    glibc 2.34; everything else is taken from this build machine)
#   rubrics/ schemas/  the shipped rubrics, their prompts, rule packs and schemas
#
# Also writes OUTPUT with ".txt" in place of ".zip": the listing with sizes and the highest GLIBC
# symbol version any shipped file needs.
foreach(var BOOTSTRAP SOURCE_DIR STAGING OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "package.cmake needs -D${var}=...")
  endif()
endforeach()

file(REMOVE_RECURSE "${STAGING}")
file(MAKE_DIRECTORY "${STAGING}/lib")
file(COPY "${BOOTSTRAP}" DESTINATION "${STAGING}"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
file(COPY "${SOURCE_DIR}/rubrics" "${SOURCE_DIR}/schemas" DESTINATION "${STAGING}")

# glibc's libraries come from the Lambda image; they must match its loader.
set(from_system "^(linux-vdso|ld-linux|libc|libm|libpthread|libdl|librt|libresolv|libutil|libanl|libnsl)[.-]")
file(GET_RUNTIME_DEPENDENCIES
  EXECUTABLES "${BOOTSTRAP}"
  RESOLVED_DEPENDENCIES_VAR resolved
  UNRESOLVED_DEPENDENCIES_VAR unresolved)
if(unresolved)
  message(FATAL_ERROR "gavel-lambda: unresolved libraries: ${unresolved}")
endif()
set(shipped "")
foreach(lib IN LISTS resolved)
  get_filename_component(name "${lib}" NAME)
  if(name MATCHES "${from_system}")
    continue()
  endif()
  # Copy the file the soname points to, under the soname.
  file(REAL_PATH "${lib}" real)
  configure_file("${real}" "${STAGING}/lib/${name}" COPYONLY)
  list(APPEND shipped "${STAGING}/lib/${name}")
endforeach()

# The highest GLIBC_x.y any shipped binary asks for.
find_program(OBJDUMP objdump REQUIRED)
set(glibc_max "0.0")
set(glibc_by_file "")
foreach(bin "${STAGING}/bootstrap" ${shipped})
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
execute_process(COMMAND "${ZIP}" -q -r -X -9 "${OUTPUT}" bootstrap lib rubrics schemas
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
set(verdict "within Amazon Linux 2023's glibc 2.34")
if(glibc_max VERSION_GREATER "2.34")
  set(verdict "NEWER than Amazon Linux 2023's glibc 2.34: build in an Amazon Linux 2023 container (see docs/lambda.md)")
endif()
file(WRITE "${report}"
  "gavel-lambda.zip: ${zip_size} bytes\n"
  "highest GLIBC symbol version required: GLIBC_${glibc_max} (${verdict})\n"
  "per file:\n${glibc_by_file}\n${listing}")
message(STATUS "gavel-lambda.zip: ${zip_size} bytes; needs GLIBC_${glibc_max} (${verdict}); listing in ${report}")
