// The checks a batch run makes before any work: its options, and its --out-dir (writable,
// empty unless resumed, and locked against a second run in it).
#include "batch/run_options.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

// The process holding a flock on the file `st` describes, from the kernel's table of locks
// (Linux); 0 when it cannot be told (no /proc, or a holder in another PID namespace).
long lock_holder(const struct stat& st) {
  std::ifstream in("/proc/locks");
  char dev[64];
  std::snprintf(dev, sizeof dev, "%02x:%02x:", major(st.st_dev), minor(st.st_dev));
  const std::string ino = std::to_string(st.st_ino);
  long by_inode = 0;  // a file system that reports another device there (overlayfs)
  std::string line;
  while (std::getline(in, line)) {
    // "1: FLOCK  ADVISORY  WRITE 4242 08:01:1234 0 EOF"; "1: -> FLOCK ..." is a waiter.
    std::istringstream fields(line);
    std::string n, kind, mode, access, pid, id;
    fields >> n >> kind;
    if (kind != "FLOCK") continue;
    fields >> mode >> access >> pid >> id;
    const std::size_t colon = id.rfind(':');
    if (colon == std::string::npos || id.substr(colon + 1) != ino) continue;
    const long holder = std::atol(pid.c_str());
    if (id.substr(0, colon + 1) == dev) return holder;
    if (by_inode == 0) by_inode = holder;
  }
  return by_inode;
}

}  // namespace

int check_run_options(const BatchOptions& o) {
  if (o.sheet && o.format != Format::pdf) {
    throw Error(ErrorCategory::usage,
                "BatchOptions.sheet imposes codes on PDF sheets: use BatchOptions.format pdf");
  }
  if (o.sheet && (o.sheet->pages_per_file < 1 || o.sheet->pages_per_file > 10000)) {
    throw Error(ErrorCategory::usage, "SheetOptions.pages_per_file " +
                                          std::to_string(o.sheet->pages_per_file) +
                                          " is out of range: use 1..10000");
  }
  if (o.sheet && (!(o.sheet->gap_mm >= 0) || o.sheet->gap_mm > 100)) {
    throw Error(ErrorCategory::usage, "SheetOptions.gap_mm must be 0mm to 100mm");
  }
  if (o.jobs < 0 || o.jobs > 256) {
    throw Error(ErrorCategory::usage,
                "BatchOptions.jobs " + std::to_string(o.jobs) + " is out of range: use 1..256");
  }
  return o.jobs > 0 ? o.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string out_dir_fix(int why) {
  if (why == EACCES || why == EPERM)
    return "fix its permissions or choose another BatchOptions.out_dir";
  if (why == EROFS) return "it is on a read-only file system: choose another BatchOptions.out_dir";
  return "choose another BatchOptions.out_dir";
}

int lock_run_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    const int why = errno;
    throw Error(ErrorCategory::input, "cannot open '" + dir.string() + "' (" + std::strerror(why) +
                                          "): " + out_dir_fix(why));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
  const int why = errno;
  if (why != EWOULDBLOCK) {
    ::close(fd);
    return -1;
  }
  struct stat st {};
  const long holder = ::fstat(fd, &st) == 0 ? lock_holder(st) : 0;
  ::close(fd);
  throw Error(
      ErrorCategory::input,
      "BatchOptions.out_dir '" + dir.string() + "' is in use by another viscode batch (" +
          (holder > 0 ? "process " + std::to_string(holder) : "a process not visible here") +
          "): wait for it to end, or stop it, then run the command again");
}

void check_empty(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir / kManifestName, ec)) {
    throw Error(ErrorCategory::input,
                "'" + dir.string() +
                    "' already holds a batch (manifest.csv): continue "
                    "it with BatchOptions.resume, or choose an empty BatchOptions.out_dir");
  }
  std::filesystem::directory_iterator it(dir, ec);
  if (!ec && it != std::filesystem::directory_iterator()) {
    throw Error(
        ErrorCategory::input,
        "'" + dir.string() + "' is not empty (it holds '" + it->path().filename().string() +
            "'): a run goes into a new or empty BatchOptions.out_dir; choose one, or move the "
            "files away");
  }
}

OutDirCheck check_out_dir(const std::filesystem::path& dir, bool resume) {
  if (dir.empty()) {
    throw Error(ErrorCategory::usage,
                "BatchOptions.out_dir is empty: give the directory for the run");
  }
  std::error_code ec;
  const auto status = std::filesystem::status(dir, ec);
  if (std::filesystem::exists(status)) {
    if (!std::filesystem::is_directory(status)) {
      throw Error(ErrorCategory::input, "BatchOptions.out_dir '" + dir.string() +
                                            "' is a file, not a folder: choose a new or empty "
                                            "folder for the run");
    }
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
      const int why = errno;
      throw Error(ErrorCategory::input, "cannot write in '" + dir.string() + "' (" +
                                            std::strerror(why) + "): " + out_dir_fix(why));
    }
    // Locked before anything in it is looked at: a run that starts at the same moment
    // must not see it empty (or its manifest complete) and then write beside this one.
    OutDirCheck out;
    out.lock_fd = lock_run_dir(dir);
    try {
      if (!resume) check_empty(dir);
    } catch (...) {
      if (out.lock_fd >= 0) ::close(out.lock_fd);
      throw;
    }
    return out;
  }
  // A new directory: its nearest existing ancestor must be a directory we may write in.
  std::filesystem::path parent = dir;
  do {
    parent = parent.has_relative_path() ? parent.parent_path() : std::filesystem::path();
  } while (!parent.empty() && !std::filesystem::exists(parent, ec));
  if (parent.empty()) parent = ".";
  int why = 0;
  if (!std::filesystem::is_directory(parent, ec)) {
    why = ENOTDIR;
  } else if (::access(parent.c_str(), W_OK | X_OK) != 0) {
    why = errno;
  }
  if (why == ENOTDIR) {
    throw Error(ErrorCategory::input,
                "cannot create '" + dir.string() + "': '" + parent.string() +
                    "' is a file, not a folder; choose another BatchOptions.out_dir");
  }
  if (why != 0) {
    throw Error(ErrorCategory::input, "cannot create '" + dir.string() + "' (" +
                                          std::strerror(why) + ": '" + parent.string() +
                                          "'): " + out_dir_fix(why));
  }
  OutDirCheck out;
  out.create = true;
  return out;
}

}  // namespace viscode::detail
