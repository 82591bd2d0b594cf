# Warnings for hdump's own targets only (never pushed onto consumers).
function(hdump_warnings target)
  if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE
      -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wstrict-prototypes
      -Wmissing-prototypes -Wcast-align -Wundef)
    if(HDUMP_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
