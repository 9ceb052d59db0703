// Reading the codes in a list of images, for the commands that act on each code
// (authenticate, ledger scan): one way to report a bad file and to settle the exit code.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "exit_codes.hpp"
#include "viscode/detect.hpp"

namespace viscode::cli {

struct ReadTally {
  bool unreadable = false;  // a file could not be read as an image
  bool no_code = false;     // an image held no code
  // kInput when a file could not be read, else kCannotCode when one held no code, else
  // `otherwise`.
  int exit_code(int otherwise) const {
    return unreadable ? kInput : no_code ? kCannotCode : otherwise;
  }
};

// The texts of the codes in `file`. An unreadable file or one without a code gives none:
// `report` gets the message (the caller prints it its way) and the tally records it.
std::vector<std::string> read_texts(const std::string& file, const ReadOptions& options,
                                    ReadTally& tally,
                                    const std::function<void(const std::string&)>& report);

}  // namespace viscode::cli
