#include "cli_harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "readers.hpp"
#include "viscode/detect.hpp"

namespace viscode::cli_test {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

CliResult run_cli(const std::vector<std::string>& args, const std::optional<fs::path>& cwd) {
  // Everything the child needs is built before fork: after it, only async-signal-safe calls
  // are allowed (the test process may have reader threads running).
  std::vector<std::string> owned;
  owned.emplace_back(VISCODE_CLI);
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string dir = cwd ? cwd->string() : std::string();

  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) fail("pipe2");
  const pid_t pid = ::fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    if (!dir.empty() && ::chdir(dir.c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);

  // Drain both pipes together: a child blocked on a full stderr pipe would never exit.
  CliResult r;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open = 2;
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll");
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail("waitpid");
  }
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signalled = true;
    r.exit_code = 128 + WTERMSIG(status);
  }
  return r;
}

TempDir::TempDir() {
  fs::create_directory(root() / "in");
  fs::create_directory(root() / "out");
}

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::vector<std::string>> manifest_rows(const fs::path& dir) {
  std::ifstream in(dir / "manifest.csv");
  std::string line;
  std::vector<std::vector<std::string>> rows;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    std::string field;
    while (std::getline(s, field, ',')) f.push_back(field);
    rows.push_back(f);
  }
  return rows;
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream f(file, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + file.string());
}

std::optional<Summary> parse_summary(const std::string& out) {
  static const std::regex re(
      R"(version (\d+), EC ([LMQH]), mask ([0-7]), (\d+)x(\d+) modules, module (\d+\.\d\d) mm )"
      R"(\((\d+) px at (\S+) dpi\), (\d+\.\d\d) mm, (halftone|dots|center|plain) -> ([^\n]+)\n)");
  std::smatch m;
  if (!std::regex_match(out, m, re) || m[4] != m[5]) return std::nullopt;
  Summary s;
  s.version = std::stoi(m[1]);
  s.ec = m.str(2)[0];
  s.mask = std::stoi(m[3]);
  s.modules = std::stoi(m[4]);
  s.module_mm = m[6];
  s.module_px = std::stoi(m[7]);
  s.dpi = m[8];
  s.size_mm = m[9];
  s.style = m[10];
  s.output = m[11];
  return s;
}

void check_reads_back(const fs::path& png, const std::string& payload) {
  INFO("reading back " << png.string());
  const cv::Mat image = cv::imread(png.string(), cv::IMREAD_UNCHANGED);
  REQUIRE_FALSE(image.empty());
  for (const test::Reader reader : test::all_readers()) {
    INFO("reader " << test::to_string(reader));
    CHECK(test::reads(reader, image, payload));
  }
}

void check_reads_back_bytes(const fs::path& png, const std::string& bytes) {
  INFO("reading back " << png.string() << " as bytes");
  const cv::Mat image = cv::imread(png.string(), cv::IMREAD_UNCHANGED);
  REQUIRE_FALSE(image.empty());
  for (const test::Reader reader : test::all_readers()) {
    INFO("reader " << test::to_string(reader));
    CHECK(test::read_all_bytes(reader, image) == std::vector<std::string>{bytes});
  }
  INFO("reader viscode");
  std::vector<std::string> ours;
  for (const Decoded& d : read_codes(image)) ours.emplace_back(d.bytes.begin(), d.bytes.end());
  CHECK(ours == std::vector<std::string>{bytes});
}

CliResult encode(std::vector<std::string> args) {
  args.insert(args.begin(), "encode");
  return run_cli(args);
}

}  // namespace viscode::cli_test
