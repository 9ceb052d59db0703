// One QR version for a whole batch run (lib/batch/pin_version.cpp).
#pragma once

#include "batch/serials.hpp"
#include "viscode/batch.hpp"
#include "viscode/design.hpp"
#include "viscode/payload_template.hpp"
#include "viscode/render.hpp"

namespace viscode::detail {

struct PinnedDesign {
  Design design;    // the run's design, its encode options held at `version`
  int version = 0;  // the version every code of the run has
  OutputInfo info;  // the printed geometry of one code at that version
};

// Checks the longest payload against capacity before any work, and gives every code its
// version so the whole run prints at one module size. Byte mode is the widest any
// payload of that length can need, so its version holds every serial of the run; only
// when that is over --max-version is the payload's own (narrower) mode the limit.
//
// A signed payload is mostly alphanumeric; byte mode would cost it two versions. Its
// capacity is probed in the mode libqrencode chooses, with a signature of letters and each
// of worst_case_serials() (pin_version.cpp) of the longest length: the run is pinned to the largest
// version any of them needs. Throws Error(encode) naming the longest payload and where its serial
// comes from when it does not fit.
PinnedDesign pin_version(const Design& in, const BatchOptions& o, const PayloadTemplate& tpl,
                         const SerialStream& serials);

}  // namespace viscode::detail
