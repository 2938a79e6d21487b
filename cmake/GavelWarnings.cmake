# gavel_target_warnings(<target>): the project's warning policy for its own code. The warnings are
# always on; -Werror only with GAVEL_WARNINGS_AS_ERRORS (the dev, asan, fuzz and release-tests
# presets), so that a consumer's build with another compiler or other flags does not fail on one.
function(gavel_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Woverloaded-virtual)
  if(GAVEL_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
    # GCC 12 (Debian 12's compiler) reports -Wrestrict falsely inside libstdc++'s
    # `"literal" + std::string` and short-literal assignments once it inlines them at -O2 and
    # above (https://gcc.gnu.org/bugzilla/show_bug.cgi?id=105329 and 105651): there it stays a
    # warning, so an optimised build is not stopped by the standard library's own code.
    # Likewise its flow-based warnings in optimised builds: -Wmaybe-uninitialized on nested
    # std::optional (https://gcc.gnu.org/bugzilla/show_bug.cgi?id=80635) and -Warray-bounds
    # inside <tuple> (meta-bug 56456). The debug presets keep them as errors.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      target_compile_options(${target} PRIVATE -Wno-error=restrict
        $<$<NOT:$<CONFIG:Debug>>:-Wno-error=maybe-uninitialized -Wno-error=array-bounds>)
    endif()
  endif()
endfunction()
