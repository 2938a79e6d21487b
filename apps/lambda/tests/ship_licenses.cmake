# SPDX-License-Identifier: Apache-2.0
# Copyright The gavel authors
#
# Runs ship_licenses (cmake/package_licenses.cmake) on one file, for the tests of its refusals:
#
#   cmake -DLIBRARY=/usr/lib/.../libcurl.so -DSTAGING=dir [-DDEBIAN_DOC_DIR=...]
#         [-DCOMMON_LICENSES_DIR=...] -P ship_licenses.cmake
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/package_licenses.cmake")
file(REMOVE_RECURSE "${STAGING}")
ship_licenses("${STAGING}" LIBRARIES "${LIBRARY}")
file(READ "${STAGING}/licenses/PACKAGES.txt" table)
message(STATUS "shipped: ${table}")
