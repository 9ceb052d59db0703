// librsvg handles owned by a unique_ptr, and librsvg's (libxml2's) messages as one line:
// shared by SVG logos (render) and SVG files read back (detect).
#pragma once

#include <librsvg/rsvg.h>

#include <memory>
#include <string>

namespace viscode::detail {

struct RsvgHandleDeleter {
  void operator()(RsvgHandle* h) const { g_object_unref(h); }
};
using RsvgHandlePtr = std::unique_ptr<RsvgHandle, RsvgHandleDeleter>;

// libxml2's messages end in a newline; a viscode message is one line.
inline std::string one_line(std::string why) {
  for (char& c : why) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!why.empty() && why.back() == ' ') why.pop_back();
  return why;
}

inline std::string one_line(const GError* error) {
  return one_line(error != nullptr ? std::string(error->message) : std::string("unknown error"));
}

}  // namespace viscode::detail
