# gavel_target_warnings(<target>): the project's warning policy for its own code. The warnings are
# always on; -Werror only with GAVEL_WARNINGS_AS_ERRORS (the dev, asan, fuzz and release-tests
# presets), so that a consumer's build with another compiler or other flags does not fail on one.
function(gavel_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Woverloaded-virtual)
  if(GAVEL_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
