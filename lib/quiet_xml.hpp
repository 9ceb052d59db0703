// libxml2 (librsvg's parser) reports some errors on stderr itself: an SVG declaring a
// charset it does not hold ("encoding error : input conversion failed ...") printed three
// such lines before viscode's own message. librsvg's own error (returned to us) says the
// same, so the copies on stderr are dropped.
#pragma once

namespace viscode::detail {

// While it lives, libxml2's error reports on this thread (where librsvg parses) go nowhere;
// the thread's previous handlers come back after.
class QuietXml {
 public:
  QuietXml();
  ~QuietXml();
  QuietXml(const QuietXml&) = delete;
  QuietXml& operator=(const QuietXml&) = delete;

 private:
  void* generic_ = nullptr;
  void* generic_context_ = nullptr;
  void* structured_ = nullptr;
  void* structured_context_ = nullptr;
};

}  // namespace viscode::detail
