# Compiler settings shared by every sotto target.
option(SOTTO_SANITIZE "Build host code with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(SOTTO_WERROR "Treat warnings as errors" ON)

if(SOTTO_SANITIZE AND NOT CMAKE_CROSSCOMPILING)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# Warnings for our own code (generated and third-party code keeps its own flags).
function(sotto_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion)
  if(SOTTO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Device code: freestanding C++17, no exceptions, no RTTI, no heap (enforced by tests/device).
function(sotto_device_code target)
  sotto_warnings(${target})
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics>)
endfunction()
