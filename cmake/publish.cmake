# Copies FILES (a list) into the folder DEST, each through a temporary file renamed over the old
# one: a reader sees the previous file or the new one, never a partial one. Run with cmake -P.
if(NOT DEFINED DEST OR NOT DEFINED FILES)
  message(FATAL_ERROR "usage: cmake -DDEST=<folder> -DFILES=<file;...> -P publish.cmake")
endif()
file(MAKE_DIRECTORY "${DEST}")
string(RANDOM LENGTH 8 suffix)
foreach(source IN LISTS FILES)
  get_filename_component(name "${source}" NAME)
  set(temporary "${DEST}/.${name}.${suffix}.tmp")
  file(COPY_FILE "${source}" "${temporary}")
  file(RENAME "${temporary}" "${DEST}/${name}")
endforeach()
