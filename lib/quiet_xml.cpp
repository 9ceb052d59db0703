#include "quiet_xml.hpp"

#include <libxml/globals.h>
#include <libxml/xmlerror.h>

namespace viscode::detail {
namespace {

void drop_generic(void*, const char*, ...) {}
void drop_structured(void*, xmlErrorPtr) {}

}  // namespace

// xmlGenericError and friends are this thread's own (libxml2 keeps them per thread).
QuietXml::QuietXml()
    : generic_(reinterpret_cast<void*>(xmlGenericError)),
      generic_context_(xmlGenericErrorContext),
      structured_(reinterpret_cast<void*>(xmlStructuredError)),
      structured_context_(xmlStructuredErrorContext) {
  xmlSetGenericErrorFunc(nullptr, &drop_generic);
  xmlSetStructuredErrorFunc(nullptr, &drop_structured);
}

QuietXml::~QuietXml() {
  xmlSetGenericErrorFunc(generic_context_, reinterpret_cast<xmlGenericErrorFunc>(generic_));
  xmlSetStructuredErrorFunc(structured_context_,
                            reinterpret_cast<xmlStructuredErrorFunc>(structured_));
}

}  // namespace viscode::detail
