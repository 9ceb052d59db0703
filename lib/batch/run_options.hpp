// The checks a batch run makes before any work: its options, and its --out-dir.
#pragma once

#include <filesystem>
#include <string>

#include "viscode/batch.hpp"

namespace viscode::detail {

// The options that need no file: --sheet only with --format pdf, --pages-per-file 1..10000,
// --gap 0..100mm, --jobs 0..256. Throws Error(usage). Returns the worker threads: --jobs,
// or one per core when it is 0.
int check_run_options(const BatchOptions& o);

// What to do about an --out-dir that cannot be written, by the reason (an errno).
std::string out_dir_fix(int why);

// One run per directory, fresh or resumed: an exclusive flock on the directory itself,
// held until the run ends (the kernel drops it when the process dies, so a killed run
// never leaves a stale lock, and no lock file is left in the run's directory). Returns the
// descriptor that holds it, or -1 on a file system that has no flock (some network file
// systems), where runs are not kept apart.
int lock_run_dir(const std::filesystem::path& dir);

// A run's files go into a directory of their own, so that --check can tell a stray file:
// throws Error(input) when `dir` holds a manifest or any file.
void check_empty(const std::filesystem::path& dir);

struct OutDirCheck {
  int lock_fd = -1;     // lock_run_dir()'s descriptor for an existing directory, else -1
  bool create = false;  // the directory does not exist yet: made before the first file
};
// Before any work: the directory is writable, or can be made with its parents (it is
// made only once every input has been checked); without `resume` it must be empty. An
// existing directory is locked before anything in it is looked at (the caller closes
// lock_fd when the run ends). Throws Error(usage) for an empty path, Error(input) otherwise.
OutDirCheck check_out_dir(const std::filesystem::path& dir, bool resume);

}  // namespace viscode::detail
