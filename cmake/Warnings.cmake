# SPDX-License-Identifier: GPL-2.0-or-later
# Compiler warnings and sanitizers, the same for every target of the project.
function(mwg502_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes
        -Wmissing-prototypes)
    if(MWG502_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(MWG502_SANITIZE)
        target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
            -fno-sanitize-recover=undefined)
        target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    endif()
endfunction()
