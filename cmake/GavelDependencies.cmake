# Every dependency comes from Debian's packages (scripts/setup-debian.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)

# The C++ build of Lua turns Lua errors into C++ exceptions, so destructors of C++ objects in
# our Lua C functions run when a script raises an error.
pkg_check_modules(LUA REQUIRED IMPORTED_TARGET lua5.4-c++)
add_library(gavel_lua INTERFACE)
target_link_libraries(gavel_lua INTERFACE PkgConfig::LUA)
add_library(gavel::lua ALIAS gavel_lua)
